namespace Fabric.Host.Commands;

/// <summary>
/// What <c>memory/show</c> prints: the node's datapath sizes and the .NET runtime's memory and garbage-collection
/// figures at one moment.
/// </summary>
/// <param name="Megaflows">Megaflows installed.</param>
/// <param name="Masks">Megaflow masks (classifier subtables).</param>
/// <param name="Ports">Datapath ports.</param>
/// <param name="HeapBytes">Managed heap size after the last collection (bytes, <see cref="GCMemoryInfo.HeapSizeBytes"/>).</param>
/// <param name="FragmentedBytes">Free space inside that heap (bytes).</param>
/// <param name="WorkingSetBytes">The process's physical memory (bytes, <see cref="Environment.WorkingSet"/>).</param>
/// <param name="Gen0">Collections of generation 0 so far (each collection of a higher generation counts here too).</param>
/// <param name="Gen1">Collections of generation 1 so far.</param>
/// <param name="Gen2">Collections of generation 2 so far.</param>
/// <param name="PausedMs">Time every thread was paused by collections since the process started (ms, <see cref="GC.GetTotalPauseDuration"/>).</param>
/// <param name="UptimeMs">Time since the process started (ms).</param>
/// <param name="LastIndex">The last collection's number (0: none yet).</param>
/// <param name="LastGeneration">The last collection's generation.</param>
/// <param name="LastKind">The last collection: <c>blocking</c>, <c>background</c> (concurrent gen2) or <c>compacting</c>.</param>
/// <param name="LastPauseMs">The last collection's longest pause (ms).</param>
/// <param name="LastPromotedBytes">What the last collection found alive and kept (bytes, <see cref="GCMemoryInfo.PromotedBytes"/>): the work a collection's pause grows with.</param>
public sealed record MemoryFigures(
    long Megaflows,
    int Masks,
    int Ports,
    long HeapBytes,
    long FragmentedBytes,
    long WorkingSetBytes,
    int Gen0,
    int Gen1,
    int Gen2,
    double PausedMs,
    double UptimeMs,
    long LastIndex,
    int LastGeneration,
    string LastKind,
    double LastPauseMs,
    long LastPromotedBytes)
{
    /// <summary>The runtime's figures now, with the given datapath sizes.</summary>
    /// <param name="megaflows">Megaflows installed.</param>
    /// <param name="masks">Megaflow masks.</param>
    /// <param name="ports">Datapath ports.</param>
    public static MemoryFigures Now(long megaflows, int masks, int ports)
    {
        GCMemoryInfo last = GC.GetGCMemoryInfo(GCKind.Any);
        string kind = last.Concurrent ? "background" : last.Compacted ? "compacting" : "blocking";
        double lastPause = last.PauseDurations.Length > 0 ? last.PauseDurations[0].TotalMilliseconds : 0;
        for (int i = 1; i < last.PauseDurations.Length; i++)
        {
            lastPause = Math.Max(lastPause, last.PauseDurations[i].TotalMilliseconds);
        }

        return new MemoryFigures(
            megaflows,
            masks,
            ports,
            last.HeapSizeBytes,
            last.FragmentedBytes,
            Environment.WorkingSet,
            GC.CollectionCount(0),
            GC.CollectionCount(1),
            GC.CollectionCount(2),
            GC.GetTotalPauseDuration().TotalMilliseconds,
            (DateTime.UtcNow - Node.StartupTrace.ProcessStart).TotalMilliseconds,
            last.Index,
            last.Generation,
            kind,
            lastPause,
            last.PromotedBytes);
    }
}
