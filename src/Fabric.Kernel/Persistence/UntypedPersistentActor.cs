namespace Fabric.Kernel.Persistence;

/// <summary>
/// A persistent actor with one command method and one recover method (Akka.Persistence <c>UntypedPersistentActor</c>); call
/// <c>Unhandled(message)</c> in <see cref="OnCommand"/> for commands it does not understand.
/// </summary>
public abstract class UntypedPersistentActor : Eventsourced
{
    /// <summary>Handles every command (after recovery, and never while a <c>Persist</c> handler is pending).</summary>
    /// <param name="message">The command.</param>
    protected abstract void OnCommand(object message);

    /// <summary>Handles a <see cref="SnapshotOffer"/>, each replayed event (Sender = DeadLetters) and <see cref="RecoveryCompleted"/>.</summary>
    /// <param name="message">The recovery message.</param>
    protected abstract void OnRecover(object message);

    /// <summary>Replaces the command behavior with <paramref name="receive"/>.</summary>
    /// <param name="receive">The new command handler.</param>
    protected static void Become(Action<object> receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        Context.Become(m =>
        {
            receive(m);
            return true;
        });
    }

    private protected sealed override bool ReceiveCommand(object message)
    {
        OnCommand(message);
        return true;
    }

    private protected sealed override bool ReceiveRecover(object message)
    {
        OnRecover(message);
        return true;
    }
}
