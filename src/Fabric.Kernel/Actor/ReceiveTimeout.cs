namespace Fabric.Kernel.Actor;

/// <summary>
/// Delivered when an actor stayed idle for the duration set with <see cref="IActorContext.SetReceiveTimeout"/>
/// (actor-semantics §5).
/// </summary>
public sealed class ReceiveTimeout
{
    private ReceiveTimeout()
    {
    }

    /// <summary>The single instance.</summary>
    public static ReceiveTimeout Instance { get; } = new();

    /// <inheritdoc/>
    public override string ToString() => "<ReceiveTimeout>";
}
