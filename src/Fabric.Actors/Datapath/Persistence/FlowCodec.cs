using Fabric.Actors.Datapath.Persistence.Proto;
using Fabric.Actors.Shards;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Megaflows;
using Google.Protobuf.Collections;
using ProtoAction = Fabric.Actors.Datapath.Persistence.Proto.Action;

namespace Fabric.Actors.Datapath.Persistence;

/// <summary>
/// Converts between the datapath's in-memory types (flow keys, masks, actions, megaflows) and their
/// journal form (datapath_events.proto): keys and masks as their ten 64-bit words.
/// </summary>
public static class FlowCodec
{
    /// <summary>Words per key or mask (the FlowKey layout).</summary>
    public const int Words = 10;

    /// <summary>Writes the ten words of <paramref name="key"/>.</summary>
    public static void Write(in FlowKey key, RepeatedField<ulong> into)
    {
        for (var i = 0; i < Words; i++)
        {
            into.Add(key.Word(i));
        }
    }

    /// <summary>Writes the ten words of <paramref name="mask"/>.</summary>
    public static void Write(in FlowMask mask, RepeatedField<ulong> into)
    {
        for (var i = 0; i < Words; i++)
        {
            into.Add(mask.Word(i));
        }
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
            into.Add(new ProtoAction { Kind = (uint)a.Kind, Port = a.Port, Tci = a.Tci, Tpid = a.Tpid, Mac = a.Mac });
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
                _ => throw new FormatException($"unknown datapath action kind {a.Kind}"),
            };
        }

        return DatapathActions.Create(items);
    }

    /// <summary>The journal form of an installed megaflow (with statistics when <paramref name="withStats"/>).</summary>
    public static FlowInstalled ToEvent(Megaflow flow, bool withStats)
    {
        var e = new FlowInstalled();
        Write(flow.Key, e.Key);
        Write(flow.Mask, e.Mask);
        Write(flow.Actions, e.Actions);
        WriteOwner(flow.Owner as MegaflowOwner, e);
        if (withStats)
        {
            e.Packets = (ulong)flow.Packets;
            e.Bytes = (ulong)flow.Bytes;
            e.LastUsedMs = flow.LastUsedMs;
        }

        return e;
    }

    /// <summary>The journal form of an install request.</summary>
    public static FlowInstalled ToEvent(in FlowKey key, in FlowMask mask, DatapathActions actions, MegaflowOwner? owner)
    {
        var e = new FlowInstalled();
        Write(key.Masked(mask), e.Key);
        Write(mask, e.Mask);
        Write(actions, e.Actions);
        WriteOwner(owner, e);
        return e;
    }

    /// <summary>The journal form of a modification of the flow <paramref name="match"/>.</summary>
    public static FlowModified ToModified(in FlowMatch match, DatapathActions actions)
    {
        var e = new FlowModified();
        Write(match.Key, e.Key);
        Write(match.Mask, e.Mask);
        Write(actions, e.Actions);
        return e;
    }

    /// <summary>The reference to a flow by its match (delete events).</summary>
    public static FlowRef ToRef(in FlowMatch match)
    {
        var r = new FlowRef();
        Write(match.Key, r.Key);
        Write(match.Mask, r.Mask);
        return r;
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

    private static void WriteOwner(MegaflowOwner? owner, FlowInstalled e)
    {
        if (owner is not null)
        {
            e.Owner = new FlowOwner { Bridge = owner.Bridge, Vlan = owner.Vlan };
            e.TableVersion = (ulong)Math.Max(0, owner.MacTableVersion);
        }
    }

    private static void Check(RepeatedField<ulong> w, string what)
    {
        if (w.Count != Words)
        {
            throw new FormatException($"a flow {what} has {Words} words, this one has {w.Count}");
        }
    }
}
