namespace Fabric.Kernel.Actor.Internal;

/// <summary>What an actor cell is waiting for its dying children to finish.</summary>
internal enum PendingState
{
    /// <summary>Nothing pending.</summary>
    None,

    /// <summary>A restart continues once the children stopped in <c>PreRestart</c> are gone.</summary>
    Recreation,

    /// <summary>The stop sequence continues once every child is gone.</summary>
    Termination,
}
