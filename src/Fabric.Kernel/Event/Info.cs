using Microsoft.Extensions.Logging;

namespace Fabric.Kernel.Event;

/// <summary>An info-level <see cref="LogEvent"/>.</summary>
/// <param name="logSource">Where it was logged, usually an actor path.</param>
/// <param name="logClass">The logging type.</param>
/// <param name="message">The text.</param>
/// <param name="cause">The exception, if any.</param>
/// <param name="timestamp">When it was logged.</param>
public sealed class Info(string logSource, Type logClass, string message, Exception? cause, DateTimeOffset timestamp)
    : LogEvent(logSource, logClass, message, cause, timestamp)
{
    /// <inheritdoc/>
    public override LogLevel LogLevel => LogLevel.Information;
}
