namespace Fabric.Actors.Datapath;

/// <summary>How the datapath actor journals the forwarding state.</summary>
public sealed record DatapathPersistenceSettings
{
    /// <summary>Journal persistence id.</summary>
    public string PersistenceId { get; init; } = "datapath";

    /// <summary>Save a snapshot (and compact the journal behind it) after this many events (default 10 000).</summary>
    public int SnapshotEvery { get; init; } = 10_000;
}
