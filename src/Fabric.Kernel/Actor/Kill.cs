namespace Fabric.Kernel.Actor;

/// <summary>
/// Makes the receiving actor throw <see cref="ActorKilledException"/> when dequeued: a failure handled by its supervisor,
/// whose default decider stops it (actor-semantics §1, §4).
/// </summary>
public sealed class Kill : IAutoReceivedMessage
{
    private Kill()
    {
    }

    /// <summary>The single instance.</summary>
    public static Kill Instance { get; } = new();

    /// <inheritdoc/>
    public override string ToString() => "<Kill>";
}
