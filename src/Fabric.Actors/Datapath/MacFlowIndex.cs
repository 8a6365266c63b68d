using Fabric.Datapath.Megaflows;

namespace Fabric.Actors.Datapath;

/// <summary>
/// The datapath actor's index of installed megaflows by the Ethernet addresses they match exactly (dl_dst and
/// dl_src), so a MAC learning change finds the megaflows it makes wrong without scanning the table.
/// </summary>
/// <remarks>
/// Owned and written by the datapath actor only, next to the megaflow table it mirrors; a new incarnation
/// rebuilds it from the live table (<see cref="Rebuild"/>). Flows whose mask wildcards an address are not indexed
/// under it (NORMAL never produces such flows).
/// </remarks>
internal sealed class MacFlowIndex
{
    private const ulong ExactMac = 0xffff_ffff_ffffUL;
    private readonly Dictionary<ulong, HashSet<Megaflow>> _byDst = new();
    private readonly Dictionary<ulong, HashSet<Megaflow>> _bySrc = new();

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
        if (_byDst.TryGetValue(mac, out var dst))
        {
            into.AddRange(dst);
        }

        if (source && _bySrc.TryGetValue(mac, out var src))
        {
            into.AddRange(src);
        }
    }

    private static void AddTo(Dictionary<ulong, HashSet<Megaflow>> index, ulong mac, Megaflow flow)
    {
        if (!index.TryGetValue(mac, out var set))
        {
            set = new HashSet<Megaflow>();
            index.Add(mac, set);
        }

        set.Add(flow);
    }

    private static void RemoveFrom(Dictionary<ulong, HashSet<Megaflow>> index, ulong mac, Megaflow flow)
    {
        if (index.TryGetValue(mac, out var set) && set.Remove(flow) && set.Count == 0)
        {
            index.Remove(mac);
        }
    }
}
