using Microsoft.Extensions.Logging;

namespace Fabric.Kernel.Event;

/// <summary>
/// Akka-style logger bound to one log source: writes to the system's <see cref="ILogger"/> (if any) and publishes a
/// <see cref="LogEvent"/> on the <see cref="EventStream"/>.
/// </summary>
public interface ILoggingAdapter
{
    /// <summary>Logs at <paramref name="level"/>.</summary>
    /// <param name="level">Severity; Trace is treated as Debug, Critical as Error, None is ignored.</param>
    /// <param name="cause">The exception, if any.</param>
    /// <param name="message">The text.</param>
    void Log(LogLevel level, Exception? cause, string message);

    /// <summary>Logs a debug message.</summary>
    /// <param name="message">The text.</param>
    void Debug(string message);

    /// <summary>Logs an info message.</summary>
    /// <param name="message">The text.</param>
    void Info(string message);

    /// <summary>Logs a warning.</summary>
    /// <param name="message">The text.</param>
    void Warning(string message);

    /// <summary>Logs an error.</summary>
    /// <param name="message">The text.</param>
    void Error(string message);

    /// <summary>Logs an error with its exception.</summary>
    /// <param name="cause">The exception.</param>
    /// <param name="message">The text.</param>
    void Error(Exception? cause, string message);
}
