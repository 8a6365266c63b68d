namespace Fabric.Kernel.Persistence.Internal;

/// <summary>INTERNAL API. The persistent actor's state machine (Akka <c>Eventsourced</c> states).</summary>
internal enum EventsourcedState
{
    /// <summary>Loading the snapshot and replaying; commands are stashed.</summary>
    Recovering,

    /// <summary>Commands are processed.</summary>
    ProcessingCommands,

    /// <summary>A stashing <c>Persist</c> is unconfirmed; commands are stashed.</summary>
    PersistingEvents,

    /// <summary>Recovery or a write failed, or the incarnation is gone: everything is ignored.</summary>
    Stopped,
}
