using Microsoft.Extensions.Logging;

namespace Fabric.Kernel.Event;

/// <summary>Writes to an <see cref="ILogger"/> and publishes the matching <see cref="LogEvent"/> on the event stream.</summary>
internal sealed class BusLoggingAdapter(EventStream eventStream, ILogger logger, TimeProvider timeProvider, string logSource, Type logClass)
    : ILoggingAdapter
{
    public void Log(LogLevel level, Exception? cause, string message)
    {
        LogEvent? e = level switch
        {
            LogLevel.Trace or LogLevel.Debug => new Debug(logSource, logClass, message, cause, timeProvider.GetUtcNow()),
            LogLevel.Information => new Info(logSource, logClass, message, cause, timeProvider.GetUtcNow()),
            LogLevel.Warning => new Warning(logSource, logClass, message, cause, timeProvider.GetUtcNow()),
            LogLevel.Error or LogLevel.Critical => new Error(logSource, logClass, message, cause, timeProvider.GetUtcNow()),
            _ => null,
        };
        if (e is null)
        {
            return;
        }

        if (logger.IsEnabled(e.LogLevel))
        {
            logger.Log(e.LogLevel, cause, "[{LogSource}] {Message}", logSource, message);
        }

        eventStream.Publish(e);
    }

    public void Debug(string message) => Log(LogLevel.Debug, null, message);

    public void Info(string message) => Log(LogLevel.Information, null, message);

    public void Warning(string message) => Log(LogLevel.Warning, null, message);

    public void Error(string message) => Log(LogLevel.Error, null, message);

    public void Error(Exception? cause, string message) => Log(LogLevel.Error, cause, message);
}
