using System.Buffers.Binary;
using Fabric.Actors.Datapath.Persistence.Proto;
using Fabric.Datapath.Bonds;

namespace Fabric.Actors.Datapath.Persistence;

/// <summary>Converts bond maps to and from their journaled form (<see cref="BondState"/>, schema v4).</summary>
public static class BondCodec
{
    /// <summary>The journaled form of <paramref name="map"/> (counters are not journaled: they are load history, rebuilt by traffic).</summary>
    public static BondState Write(BondMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var outputs = new byte[BondMap.Buckets * 2];
        for (var b = 0; b < BondMap.Buckets; b++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(outputs.AsSpan(b * 2), map.OutputOf(b));
        }

        var state = new BondState
        {
            BondId = map.BondId,
            Name = map.Name,
            Mode = (uint)map.Mode,
            Outputs = Google.Protobuf.ByteString.CopyFrom(outputs),
            ActiveMember = map.ActiveMember,
            InputRule = (uint)map.InputRule,
            AllMembersActive = map.AllMembersActive,
        };
        foreach (var m in map.Members)
        {
            state.Members.Add(new BondMemberState { DpPort = m.DpPort, Enabled = m.Enabled, MayEnable = m.MayEnable });
        }

        return state;
    }

    /// <summary>A bond map from its journaled form, using <paramref name="table"/>'s counters for its bond.</summary>
    /// <exception cref="FormatException">The outputs are not 256 ports, the bond id is 0, or the mode or rule is unknown.</exception>
    public static BondMap Read(BondState state, BondTable table)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(table);
        if (state.Outputs.Length != BondMap.Buckets * 2 || state.BondId is 0 or > ushort.MaxValue
            || !Enum.IsDefined((BondMode)state.Mode) || !Enum.IsDefined((BondInputRule)state.InputRule))
        {
            throw new FormatException($"bond state of '{state.Name}' (id {state.BondId}) is malformed");
        }

        Span<ushort> outputs = stackalloc ushort[BondMap.Buckets];
        var bytes = state.Outputs.Span;
        for (var b = 0; b < BondMap.Buckets; b++)
        {
            outputs[b] = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(b * 2)..]);
        }

        var members = new List<BondMember>(state.Members.Count);
        foreach (var m in state.Members)
        {
            members.Add(new BondMember((ushort)m.DpPort, m.Enabled, m.MayEnable));
        }

        var id = (ushort)state.BondId;
        return new BondMap(id, state.Name, (BondMode)state.Mode, outputs, (ushort)state.ActiveMember, members, (BondInputRule)state.InputRule, state.AllMembersActive, table.CountersFor(id));
    }
}
