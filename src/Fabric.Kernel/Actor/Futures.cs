using System.Runtime.ExceptionServices;
using Fabric.Kernel.Actor.Internal;

namespace Fabric.Kernel.Actor;

/// <summary>
/// Request/response over <c>Tell</c> (Akka.NET <c>Futures.Ask</c>, actor-semantics §2.3): a temporary one-shot reference under
/// <c>/temp</c> is the sender; the first reply wins. A reply of type <c>T</c> completes the task, <see cref="Status.Failure"/>
/// faults it with its cause, any other type faults it with <see cref="ArgumentException"/>; no reply within the timeout ⇒
/// <see cref="AskTimeoutException"/>. The timeout runs on the system's <see cref="TimeProvider"/> (virtual time in tests).
/// Continuations run asynchronously; never block an actor on the result.
/// </summary>
public static class Futures
{
    /// <summary>Asks and returns the raw reply.</summary>
    /// <param name="self">The target (a reference from an actor system).</param>
    /// <param name="message">The request.</param>
    /// <param name="timeout">Positive timeout, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <param name="ct">Cancels the wait (the task becomes canceled).</param>
    /// <returns>The reply.</returns>
    public static Task<object> Ask(this ICanTell self, object message, TimeSpan timeout, CancellationToken ct = default) =>
        Ask<object>(self, message, timeout, ct);

    /// <summary>Asks using the system's <see cref="ActorSystemSetup.DefaultAskTimeout"/> (infinite when unset).</summary>
    /// <typeparam name="T">The expected reply type.</typeparam>
    /// <param name="self">The target (a reference from an actor system).</param>
    /// <param name="message">The request.</param>
    /// <param name="ct">Cancels the wait.</param>
    /// <returns>The reply.</returns>
    public static Task<T> Ask<T>(this ICanTell self, object message, CancellationToken ct = default)
    {
        var system = SystemOf(self);
        return Ask<T>(self, message, system.Setup.DefaultAskTimeout ?? Timeout.InfiniteTimeSpan, ct);
    }

    /// <summary>Asks and returns the reply as <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The expected reply type.</typeparam>
    /// <param name="self">The target (a reference from an actor system).</param>
    /// <param name="message">The request.</param>
    /// <param name="timeout">Positive timeout, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <param name="ct">Cancels the wait (the task becomes canceled).</param>
    /// <returns>The reply.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Non-positive timeout.</exception>
    /// <exception cref="ArgumentException"><paramref name="self"/> does not belong to an actor system.</exception>
    public static async Task<T> Ask<T>(this ICanTell self, object message, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The Ask timeout must be positive or infinite.");
        }

        var system = SystemOf(self);
        var promise = system.CreatePromiseRef();
        promise.Start(self, timeout, ct);
        self.Tell(message, promise);
        var reply = await promise.Task.ConfigureAwait(false);
        if (reply is Status.Failure failure && typeof(T) != typeof(Status.Failure))
        {
            ExceptionDispatchInfo.Throw(failure.Cause);
        }

        if (reply is T result)
        {
            return result;
        }

        throw new ArgumentException(
            $"Ask<{typeof(T).Name}> to {self} received a reply of type [{reply.GetType().FullName}].");
    }

    private static ActorSystemImpl SystemOf(ICanTell self)
    {
        ArgumentNullException.ThrowIfNull(self);
        return (self as InternalActorRef)?.System
            ?? throw new ArgumentException($"Ask needs a reference that belongs to an actor system, not {self}.", nameof(self));
    }
}
