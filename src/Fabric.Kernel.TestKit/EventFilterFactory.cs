using Fabric.Kernel.Event;

namespace Fabric.Kernel.TestKit;

/// <summary>
/// Builds expectations on the events published on the system's <see cref="EventStream"/> while a block runs (Akka.NET
/// <c>EventFilter</c>): e.g. <c>EventFilter.Exception&lt;MyException&gt;().ExpectOne(() =&gt; actor.Tell(Boom))</c> asserts
/// that exactly one Error log event caused by <c>MyException</c> was published. Unlike Akka, matched events are counted,
/// not suppressed.
/// </summary>
public sealed class EventFilterFactory
{
    private readonly TestKitBase _kit;

    internal EventFilterFactory(TestKitBase kit) => _kit = kit;

    /// <summary>Error log events whose cause is a <typeparamref name="TException"/>.</summary>
    /// <typeparam name="TException">The exception type (subclasses match).</typeparam>
    /// <param name="message">Exact text of the event or of its cause, if given.</param>
    /// <param name="source">Exact log source (actor path), if given.</param>
    /// <param name="contains">Substring of the event's or the cause's text, if given.</param>
    /// <returns>The filter.</returns>
    public EventFilterApplier Exception<TException>(string? message = null, string? source = null, string? contains = null)
        where TException : System.Exception =>
        Exception(typeof(TException), message, source, contains);

    /// <summary>Error log events whose cause is an instance of <paramref name="exceptionType"/>.</summary>
    /// <param name="exceptionType">The exception type (subclasses match).</param>
    /// <param name="message">Exact text of the event or of its cause, if given.</param>
    /// <param name="source">Exact log source (actor path), if given.</param>
    /// <param name="contains">Substring of the event's or the cause's text, if given.</param>
    /// <returns>The filter.</returns>
    public EventFilterApplier Exception(Type exceptionType, string? message = null, string? source = null, string? contains = null)
    {
        ArgumentNullException.ThrowIfNull(exceptionType);
        return Log<Error>(e => exceptionType.IsInstanceOfType(e.Cause), $"Error caused by {exceptionType.Name}", message, source, contains);
    }

    /// <summary>Error log events.</summary>
    /// <param name="message">Exact text, if given.</param>
    /// <param name="source">Exact log source, if given.</param>
    /// <param name="contains">Substring of the text, if given.</param>
    /// <returns>The filter.</returns>
    public EventFilterApplier Error(string? message = null, string? source = null, string? contains = null) =>
        Log<Error>(null, "Error", message, source, contains);

    /// <summary>Warning log events.</summary>
    /// <param name="message">Exact text, if given.</param>
    /// <param name="source">Exact log source, if given.</param>
    /// <param name="contains">Substring of the text, if given.</param>
    /// <returns>The filter.</returns>
    public EventFilterApplier Warning(string? message = null, string? source = null, string? contains = null) =>
        Log<Warning>(null, "Warning", message, source, contains);

    /// <summary>Info log events.</summary>
    /// <param name="message">Exact text, if given.</param>
    /// <param name="source">Exact log source, if given.</param>
    /// <param name="contains">Substring of the text, if given.</param>
    /// <returns>The filter.</returns>
    public EventFilterApplier Info(string? message = null, string? source = null, string? contains = null) =>
        Log<Info>(null, "Info", message, source, contains);

    /// <summary>Debug log events.</summary>
    /// <param name="message">Exact text, if given.</param>
    /// <param name="source">Exact log source, if given.</param>
    /// <param name="contains">Substring of the text, if given.</param>
    /// <returns>The filter.</returns>
    public EventFilterApplier Debug(string? message = null, string? source = null, string? contains = null) =>
        Log<Debug>(null, "Debug", message, source, contains);

    /// <summary><see cref="DeadLetter"/> events whose message is a <typeparamref name="T"/> (matching <paramref name="isMatch"/> if given).</summary>
    /// <typeparam name="T">The undelivered message's type.</typeparam>
    /// <param name="isMatch">Optional predicate on the message.</param>
    /// <returns>The filter.</returns>
    public EventFilterApplier DeadLetter<T>(Predicate<T>? isMatch = null) =>
        new(_kit, typeof(DeadLetter), e => e is DeadLetter { Message: T m } && (isMatch is null || isMatch(m)), $"DeadLetter of {typeof(T).Name}");

    /// <summary><see cref="UnhandledMessage"/> events whose message is a <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The unhandled message's type.</typeparam>
    /// <returns>The filter.</returns>
    public EventFilterApplier Unhandled<T>() =>
        new(_kit, typeof(UnhandledMessage), e => e is UnhandledMessage { Message: T }, $"UnhandledMessage of {typeof(T).Name}");

    private EventFilterApplier Log<TEvent>(Func<LogEvent, bool>? extra, string what, string? message, string? source, string? contains)
        where TEvent : LogEvent
    {
        var description = what
            + (message is null ? string.Empty : $" with message \"{message}\"")
            + (contains is null ? string.Empty : $" containing \"{contains}\"")
            + (source is null ? string.Empty : $" from {source}");
        return new EventFilterApplier(_kit, typeof(TEvent), e =>
        {
            if (e is not TEvent log || (extra is not null && !extra(log)))
            {
                return false;
            }

            if (source is not null && log.LogSource != source)
            {
                return false;
            }

            if (message is not null && log.Message != message && log.Cause?.Message != message)
            {
                return false;
            }

            return contains is null
                || log.Message.Contains(contains, StringComparison.Ordinal)
                || (log.Cause?.Message.Contains(contains, StringComparison.Ordinal) ?? false);
        }, description);
    }
}
