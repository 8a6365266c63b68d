using Fabric.Datapath.Megaflows;

namespace Fabric.Actors.Datapath;

/// <summary>
/// The datapath actor's index of installed megaflows by the Ethernet addresses they match exactly (dl_dst and
/// dl_src), so a MAC learning change finds the megaflows it makes wrong without scanning the table.
/// </summary>
/// <remarks>
/// Owned and written by the datapath actor only, next to the megaflow table it mirrors; a new incarnation
/// rebuilds it from the live table (<see cref="Rebuild"/>). Flows whose mask wildcards an address are not indexed
/// under it (NORMAL never produces such flows). An address used by one flow maps to that flow itself; only an address
/// shared by several flows gets a set, so a table of many distinct sources costs no set per flow.
/// </remarks>
internal sealed class MacFlowIndex
{
    private const ulong ExactMac = 0xffff_ffff_ffffUL;
    private readonly Dictionary<ulong, object> _byDst = new();
    private readonly Dictionary<ulong, object> _bySrc = new();

    /// <summary>Indexes <paramref name="flow"/> under its addresses.</summary>
    public void Add(Megaflow flow)
    {
        if (flow.Mask.DlDst == ExactMac)
        {
            AddTo(_byDst, flow.Key.DlDst, flow);
        }

        if (flow.Mask.DlSrc == ExactMac)
        {
            AddTo(_bySrc, flow.Key.DlSrc, flow);
        }
    }

    /// <summary>Forgets <paramref name="flow"/>.</summary>
    public void Remove(Megaflow flow)
    {
        RemoveFrom(_byDst, flow.Key.DlDst, flow);
        RemoveFrom(_bySrc, flow.Key.DlSrc, flow);
    }

    /// <summary>Forgets every flow.</summary>
    public void Clear()
    {
        _byDst.Clear();
        _bySrc.Clear();
    }

    /// <summary>Re-indexes exactly <paramref name="flows"/> (the live table, for a new incarnation).</summary>
    public void Rebuild(IEnumerable<Megaflow> flows)
    {
        Clear();
        foreach (var f in flows)
        {
            Add(f);
        }
    }

    /// <summary>Appends the live flows towards <paramref name="mac"/> (and, with <paramref name="source"/>, from it) to <paramref name="into"/>.</summary>
    public void Collect(ulong mac, bool source, List<Megaflow> into)
    {
        CollectFrom(_byDst, mac, into);
        if (source)
        {
            CollectFrom(_bySrc, mac, into);
        }
    }

    private static void CollectFrom(Dictionary<ulong, object> index, ulong mac, List<Megaflow> into)
    {
        switch (index.GetValueOrDefault(mac))
        {
            case Megaflow one:
                into.Add(one);
                break;
            case HashSet<Megaflow> set:
                into.AddRange(set);
                break;
        }
    }

    private static void AddTo(Dictionary<ulong, object> index, ulong mac, Megaflow flow)
    {
        if (!index.TryGetValue(mac, out var entry))
        {
            index.Add(mac, flow);
        }
        else if (entry is HashSet<Megaflow> set)
        {
            set.Add(flow);
        }
        else if (!ReferenceEquals(entry, flow))
        {
            index[mac] = new HashSet<Megaflow> { (Megaflow)entry, flow };
        }
    }

    private static void RemoveFrom(Dictionary<ulong, object> index, ulong mac, Megaflow flow)
    {
        if (!index.TryGetValue(mac, out var entry))
        {
            return;
        }

        if (ReferenceEquals(entry, flow))
        {
            index.Remove(mac);
        }
        else if (entry is HashSet<Megaflow> set && set.Remove(flow) && set.Count == 1)
        {
            index[mac] = set.First();
        }
    }
}
