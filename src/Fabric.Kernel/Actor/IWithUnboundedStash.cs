namespace Fabric.Kernel.Actor;

/// <summary>
/// Implemented by actors that need a stash; the kernel sets <see cref="Stash"/> before the actor's constructor body runs.
/// </summary>
public interface IWithUnboundedStash
{
    /// <summary>The actor's stash (injected by the kernel).</summary>
    IStash Stash { get; set; }
}
