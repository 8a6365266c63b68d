namespace Fabric.Kernel.Actor;

/// <summary>
/// An actor with one <see cref="OnReceive"/> method (Akka.NET <c>UntypedActor</c>); call <c>Unhandled(message)</c> for
/// messages it does not understand.
/// </summary>
public abstract class UntypedActor : ActorBase
{
    /// <summary>Handles every message.</summary>
    /// <param name="message">The message.</param>
    protected abstract void OnReceive(object message);

    /// <inheritdoc/>
    protected sealed override bool Receive(object message)
    {
        OnReceive(message);
        return true;
    }

    /// <summary>Replaces the current behavior with <paramref name="receive"/>.</summary>
    /// <param name="receive">The new handler.</param>
    protected static void Become(Action<object> receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        Context.Become(m =>
        {
            receive(m);
            return true;
        });
    }

    /// <summary>Pushes <paramref name="receive"/> on the behavior stack.</summary>
    /// <param name="receive">The new handler.</param>
    protected static void BecomeStacked(Action<object> receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        Context.BecomeStacked(m =>
        {
            receive(m);
            return true;
        });
    }

    /// <summary>Pops the behavior stack.</summary>
    protected static void UnbecomeStacked() => Context.UnbecomeStacked();
}
