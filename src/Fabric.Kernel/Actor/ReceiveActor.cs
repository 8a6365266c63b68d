using Fabric.Kernel.Actor.Internal;

namespace Fabric.Kernel.Actor;

/// <summary>
/// An actor whose handlers are registered in its constructor (Akka.NET <c>ReceiveActor</c>): the first matching handler in
/// registration order wins; no match ⇒ <c>Unhandled</c>. Registering outside the constructor or a <see cref="Become"/>
/// configuration throws <see cref="InvalidOperationException"/>.
/// </summary>
public abstract class ReceiveActor : ActorBase
{
    private readonly HandlerList _handlers = new(
        "Message handlers can only be registered in the actor's constructor or inside Become/BecomeStacked.");

    /// <summary>Handles messages of type <typeparamref name="T"/> (optionally only those matching <paramref name="shouldHandle"/>).</summary>
    /// <typeparam name="T">Message type (subtypes match).</typeparam>
    /// <param name="handler">The handler.</param>
    /// <param name="shouldHandle">Optional filter; non-matching messages fall through to later handlers.</param>
    protected void Receive<T>(Action<T> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handlers.Add(typeof(T), m =>
        {
            var t = (T)m;
            if (shouldHandle is not null && !shouldHandle(t))
            {
                return false;
            }

            handler(t);
            return true;
        });
    }

    /// <summary>Handles messages of type <typeparamref name="T"/> that match <paramref name="shouldHandle"/>.</summary>
    /// <typeparam name="T">Message type (subtypes match).</typeparam>
    /// <param name="shouldHandle">Filter; non-matching messages fall through to later handlers.</param>
    /// <param name="handler">The handler.</param>
    protected void Receive<T>(Predicate<T> shouldHandle, Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(shouldHandle);
        Receive(handler, shouldHandle);
    }

    /// <summary>Handles messages of type <typeparamref name="T"/>; returning <see langword="false"/> falls through to later handlers.</summary>
    /// <typeparam name="T">Message type (subtypes match).</typeparam>
    /// <param name="handler">The handler.</param>
    protected void Receive<T>(Func<T, bool> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handlers.Add(typeof(T), m => handler((T)m));
    }

    /// <summary>
    /// Handles messages of type <typeparamref name="T"/> asynchronously: no further message is processed until the task
    /// completes (non-reentrant); <c>await</c> continuations run on the actor with <c>Sender</c> restored; a faulted task is a
    /// failure of the actor.
    /// </summary>
    /// <typeparam name="T">Message type (subtypes match).</typeparam>
    /// <param name="handler">The handler.</param>
    /// <param name="shouldHandle">Optional filter.</param>
    protected void ReceiveAsync<T>(Func<T, Task> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handlers.Add(typeof(T), m =>
        {
            var t = (T)m;
            if (shouldHandle is not null && !shouldHandle(t))
            {
                return false;
            }

            ActorCell.Current!.RunTask(() => handler(t));
            return true;
        });
    }

    /// <summary>Like <see cref="ReceiveAsync{T}(Func{T, Task}, Predicate{T}?)"/> with the filter first.</summary>
    /// <typeparam name="T">Message type (subtypes match).</typeparam>
    /// <param name="shouldHandle">Filter.</param>
    /// <param name="handler">The handler.</param>
    protected void ReceiveAsync<T>(Predicate<T> shouldHandle, Func<T, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(shouldHandle);
        ReceiveAsync(handler, shouldHandle);
    }

    /// <summary>Handles every message (register it last).</summary>
    /// <param name="handler">The handler.</param>
    protected void ReceiveAny(Action<object> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handlers.Add(typeof(object), m =>
        {
            handler(m);
            return true;
        });
    }

    /// <summary>Replaces the current behavior with the handlers registered by <paramref name="configure"/>.</summary>
    /// <param name="configure">Calls <c>Receive</c>/<c>ReceiveAsync</c>/<c>ReceiveAny</c>.</param>
    protected void Become(Action configure) => Context.Become(_handlers.Build(configure));

    /// <summary>Pushes the handlers registered by <paramref name="configure"/> on the behavior stack.</summary>
    /// <param name="configure">Calls <c>Receive</c>/<c>ReceiveAsync</c>/<c>ReceiveAny</c>.</param>
    protected void BecomeStacked(Action configure) => Context.BecomeStacked(_handlers.Build(configure));

    /// <summary>Pops the behavior stack.</summary>
    protected static void UnbecomeStacked() => Context.UnbecomeStacked();

    /// <inheritdoc/>
    protected sealed override bool Receive(object message) => _handlers.Match(message);

    internal override void OnConstructed()
    {
        _handlers.Seal();
    }
}
