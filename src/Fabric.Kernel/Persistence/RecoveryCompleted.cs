namespace Fabric.Kernel.Persistence;

/// <summary>
/// Delivered to the recover handler once recovery has finished — always, also for a brand-new persistence id and with
/// <see cref="Recovery.None"/> (actor-semantics §6, step 4). Commands stashed during recovery are processed after it.
/// </summary>
public sealed class RecoveryCompleted
{
    private RecoveryCompleted()
    {
    }

    /// <summary>The single instance.</summary>
    public static RecoveryCompleted Instance { get; } = new();

    /// <inheritdoc/>
    public override string ToString() => "RecoveryCompleted";
}
