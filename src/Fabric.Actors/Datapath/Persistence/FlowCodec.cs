using System.Buffers.Binary;
using Fabric.Actors.Datapath.Persistence.Proto;
using Fabric.Actors.Shards;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Megaflows;
using Google.Protobuf;
using Google.Protobuf.Collections;
using ProtoAction = Fabric.Actors.Datapath.Persistence.Proto.Action;

namespace Fabric.Actors.Datapath.Persistence;

/// <summary>
/// Converts between the datapath's in-memory types (flow keys, masks, actions, megaflows) and their
/// journal form (datapath_events.proto): a match as 160 bytes (v3), read also from the two ten-word fields of v1/v2.
/// </summary>
public static class FlowCodec
{
    [ThreadStatic]
    private static Dictionary<(string, int), FlowOwner>? s_owners;

    /// <summary>Words per key or mask (the FlowKey layout).</summary>
    public const int Words = 10;

    /// <summary>Bytes of a v3 match: key W0..W9 then mask W0..W9, each a little-endian 64-bit word.</summary>
    public const int MatchBytes = 2 * Words * sizeof(ulong);

    /// <summary>The v3 form of a match (<see cref="MatchBytes"/> bytes).</summary>
    public static ByteString WriteMatch(in FlowMatch match)
    {
        Span<byte> buffer = stackalloc byte[MatchBytes];
        for (var i = 0; i < Words; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(buffer[(i * 8)..], match.Key.Word(i));
            BinaryPrimitives.WriteUInt64LittleEndian(buffer[((Words + i) * 8)..], match.Mask.Word(i));
        }

        return ByteString.CopyFrom(buffer);
    }

    /// <summary>Reads a v3 match (the key is masked again, so a stored key with stray bits still names its flow).</summary>
    /// <exception cref="FormatException">Not exactly <see cref="MatchBytes"/> bytes.</exception>
    public static FlowMatch ReadMatch(ByteString match)
    {
        if (match.Length != MatchBytes)
        {
            throw new FormatException($"a flow match has {MatchBytes} bytes, this one has {match.Length}");
        }

        var b = match.Span;
        Span<ulong> w = stackalloc ulong[2 * Words];
        for (var i = 0; i < w.Length; i++)
        {
            w[i] = BinaryPrimitives.ReadUInt64LittleEndian(b[(i * 8)..]);
        }

        var mask = new FlowMask(w[10], w[11], w[12], w[13], w[14], w[15], w[16], w[17], w[18], w[19]);
        return new FlowMatch(new FlowKey(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9]).Masked(mask), mask);
    }

    /// <summary>The v3 install record of an install request.</summary>
    public static FlowInstall ToInstall(in FlowMatch match, DatapathActions actions, MegaflowOwner? owner)
    {
        var e = new FlowInstall { Match = WriteMatch(match), Owner = OwnerRecord(owner), TableVersion = TableVersion(owner) };
        Write(actions, e.Actions);
        return e;
    }

    /// <summary>The v3 snapshot record of an installed megaflow, with its statistics.</summary>
    public static FlowState ToState(Megaflow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        var owner = flow.Owner as MegaflowOwner;
        var e = new FlowState
        {
            Match = WriteMatch(FlowMatch.Of(flow)),
            Owner = OwnerRecord(owner),
            TableVersion = TableVersion(owner),
            Packets = (ulong)flow.Packets,
            Bytes = (ulong)flow.Bytes,
            LastUsedMs = flow.LastUsedMs,
        };
        Write(flow.Actions, e.Actions);
        return e;
    }

    /// <summary>Reads a key.</summary>
    /// <exception cref="FormatException">Not exactly ten words.</exception>
    public static FlowKey ReadKey(RepeatedField<ulong> w)
    {
        Check(w, "key");
        return new FlowKey(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9]);
    }

    /// <summary>Reads a mask.</summary>
    /// <exception cref="FormatException">Not exactly ten words.</exception>
    public static FlowMask ReadMask(RepeatedField<ulong> w)
    {
        Check(w, "mask");
        return new FlowMask(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9]);
    }

    /// <summary>Writes <paramref name="actions"/>.</summary>
    public static void Write(DatapathActions actions, RepeatedField<ProtoAction> into)
    {
        foreach (var a in actions.Items)
        {
            into.Add(new ProtoAction { Kind = (uint)a.Kind, Port = a.Port, Tci = a.Tci, Tpid = a.Tpid, Mac = a.Mac, Bucket = a.Bucket });
        }
    }

    /// <summary>Reads actions.</summary>
    /// <exception cref="FormatException">An unknown action kind.</exception>
    public static DatapathActions ReadActions(RepeatedField<ProtoAction> list)
    {
        if (list.Count == 0)
        {
            return DatapathActions.Drop;
        }

        var items = new DatapathAction[list.Count];
        for (var i = 0; i < items.Length; i++)
        {
            var a = list[i];
            items[i] = (DatapathActionKind)a.Kind switch
            {
                DatapathActionKind.Output => DatapathAction.Output((ushort)a.Port),
                DatapathActionKind.PushVlan => DatapathAction.PushVlan((ushort)a.Tci, (ushort)a.Tpid),
                DatapathActionKind.PopVlan => DatapathAction.PopVlan(),
                DatapathActionKind.SetVlanTci => DatapathAction.SetVlanTci((ushort)a.Tci),
                DatapathActionKind.Userspace => DatapathAction.Userspace(),
                DatapathActionKind.SetEthSrc => DatapathAction.SetEthSrc(a.Mac),
                DatapathActionKind.SetEthDst => DatapathAction.SetEthDst(a.Mac),
                DatapathActionKind.Bond => DatapathAction.Bond((ushort)a.Port, (byte)a.Bucket),
                _ => throw new FormatException($"unknown datapath action kind {a.Kind}"),
            };
        }

        return DatapathActions.Create(items);
    }

    /// <summary>The match a journaled key and mask name.</summary>
    /// <exception cref="FormatException">Not exactly ten words in either.</exception>
    public static FlowMatch ReadMatch(RepeatedField<ulong> key, RepeatedField<ulong> mask)
    {
        var m = ReadMask(mask);
        return new FlowMatch(ReadKey(key).Masked(m), m);
    }

    /// <summary>
    /// The owner tag of a restored flow: it names its bridge and VLAN but no MAC table (epoch 0, version -1), so
    /// the next revalidation sweep of whichever shard owns its slice translates it against the current tables.
    /// </summary>
    public static MegaflowOwner? RestoreOwner(FlowOwner? owner) =>
        owner is null ? null : new MegaflowOwner(owner.Bridge, owner.Vlan, MacTableEpoch: 0, MacTableVersion: -1);

    /// <summary>
    /// The journal record of an owner. Records are shared per (bridge, VLAN): a message may appear in many parents,
    /// and serializing never changes it; readers of journal records never mutate them.
    /// </summary>
    private static FlowOwner? OwnerRecord(MegaflowOwner? owner)
    {
        if (owner is null)
        {
            return null;
        }

        var cache = s_owners ??= new Dictionary<(string, int), FlowOwner>();
        if (!cache.TryGetValue((owner.Bridge, owner.Vlan), out var record))
        {
            record = new FlowOwner { Bridge = owner.Bridge, Vlan = owner.Vlan };
            cache[(owner.Bridge, owner.Vlan)] = record;
        }

        return record;
    }

    private static ulong TableVersion(MegaflowOwner? owner) => owner is null ? 0 : (ulong)Math.Max(0, owner.MacTableVersion);

    private static void Check(RepeatedField<ulong> w, string what)
    {
        if (w.Count != Words)
        {
            throw new FormatException($"a flow {what} has {Words} words, this one has {w.Count}");
        }
    }
}
