namespace Fabric.Kernel.Actor;

/// <summary>
/// Stops the receiving actor when it is dequeued: travels in the ordinary queue, so messages sent before it are processed
/// first (actor-semantics §1).
/// </summary>
public sealed class PoisonPill : IAutoReceivedMessage
{
    private PoisonPill()
    {
    }

    /// <summary>The single instance.</summary>
    public static PoisonPill Instance { get; } = new();

    /// <inheritdoc/>
    public override string ToString() => "<PoisonPill>";
}
