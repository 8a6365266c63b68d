namespace Fabric.Actors.Datapath.Persistence;

/// <summary>
/// What outlives the datapath actor's incarnations inside one process, next to the live megaflow table: whether
/// the table has already been restored from the journal, and the counters of all incarnations. The first
/// incarnation restores the table; later ones (after a crash or a journal failure) leave the live table alone and
/// bring the journal up to date with it instead.
/// </summary>
/// <remarks>Written only by the current incarnation of the datapath actor (one at a time, by construction of its supervisor).</remarks>
public sealed class LiveTableState
{
    /// <summary>True once an incarnation finished recovering into the live table.</summary>
    public bool Restored { get; set; }

    /// <summary>Megaflows restored by the first incarnation.</summary>
    public int RestoredFlows { get; set; }

    /// <summary>Duration of the first incarnation's recovery.</summary>
    public TimeSpan RecoveryTime { get; set; }

    /// <summary>Megaflows installed (or replaced) since the process started.</summary>
    public long Installed { get; set; }

    /// <summary>Megaflows deleted since the process started.</summary>
    public long Deleted { get; set; }

    /// <summary>Installs refused at the flow limit.</summary>
    public long LimitRefused { get; set; }

    /// <summary>Installs refused because a MAC change newer than their translation had invalidated them (<see cref="MacChangeLog"/>).</summary>
    public long StaleRefused { get; set; }

    /// <summary>Packet-outs executed for upcalls.</summary>
    public long PacketsExecuted { get; set; }

    /// <summary>Journal events written.</summary>
    public long EventsWritten { get; set; }

    /// <summary>Flow changes in those events.</summary>
    public long ChangesWritten { get; set; }

    /// <summary>Journal writes that failed.</summary>
    public long WriteFailures { get; set; }

    /// <summary>Latency of the last journal write (ms).</summary>
    public double LastWriteMs { get; set; }

    /// <summary>The longest journal write latency (ms).</summary>
    public double MaxWriteMs { get; set; }

    /// <summary>Sum of every journal write's latency (ms), for the average.</summary>
    public double TotalWriteMs { get; set; }
}
