using Microsoft.Extensions.Logging;

namespace Fabric.Kernel.Event;

/// <summary>
/// A log record published on the <see cref="EventStream"/> (Akka.NET <c>LogEvent</c>), so tests can assert logging with the
/// TestKit's <c>EventFilter</c>; see <see cref="Error"/>, <see cref="Warning"/>, <see cref="Info"/>, <see cref="Debug"/>.
/// </summary>
public abstract class LogEvent
{
    /// <summary>Creates the event.</summary>
    /// <param name="logSource">Where it was logged, usually an actor path.</param>
    /// <param name="logClass">The logging type.</param>
    /// <param name="message">The text.</param>
    /// <param name="cause">The exception, if any.</param>
    /// <param name="timestamp">When it was logged (from the system's TimeProvider).</param>
    protected LogEvent(string logSource, Type logClass, string message, Exception? cause, DateTimeOffset timestamp)
    {
        LogSource = logSource;
        LogClass = logClass;
        Message = message;
        Cause = cause;
        Timestamp = timestamp;
    }

    /// <summary>Where it was logged, usually an actor path such as <c>akka://sys/user/a</c>.</summary>
    public string LogSource { get; }

    /// <summary>The logging type.</summary>
    public Type LogClass { get; }

    /// <summary>The text.</summary>
    public string Message { get; }

    /// <summary>The exception, if any.</summary>
    public Exception? Cause { get; }

    /// <summary>When it was logged.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The severity.</summary>
    public abstract LogLevel LogLevel { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        Cause is null
            ? $"[{LogLevel}][{LogSource}] {Message}"
            : $"[{LogLevel}][{LogSource}] {Message} ({Cause.GetType().Name}: {Cause.Message})";
}
