namespace Fabric.Actors.Datapath;

/// <summary>How the datapath actor journals the forwarding state.</summary>
public sealed record DatapathPersistenceSettings
{
    /// <summary>Journal persistence id.</summary>
    public string PersistenceId { get; init; } = "datapath";

    /// <summary>Save a snapshot (and delete the events behind it) after this many flow changes (default 10,000).</summary>
    public int SnapshotEvery { get; init; } = 10_000;

    /// <summary>
    /// Also save a snapshot this often while anything changed since the last one (default 60 s), so flow statistics
    /// (packets, bytes, last use) survive a crash with at most this much age. <see cref="TimeSpan.Zero"/> = off.
    /// </summary>
    public TimeSpan SnapshotInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Most flow changes in one journal event; a larger batch is split (default 5,000).</summary>
    public int MaxChangesPerEvent { get; init; } = 5_000;
}
