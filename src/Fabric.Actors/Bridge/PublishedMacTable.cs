namespace Fabric.Actors.Bridge;

/// <summary>
/// Where a bridge actor publishes its current <see cref="MacTableView"/> for its flow-table shards: one writer (the
/// bridge), any number of readers, each of which sees a whole version.
/// </summary>
public sealed class PublishedMacTable
{
    private MacTableView _current;

    /// <summary>Creates the publication with its first version.</summary>
    public PublishedMacTable(MacTableView first) => _current = first;

    /// <summary>The latest version.</summary>
    public MacTableView Current => Volatile.Read(ref _current);

    /// <summary>Publishes <paramref name="view"/> (bridge actor only).</summary>
    public void Publish(MacTableView view) => Volatile.Write(ref _current, view);
}
