using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Fabric.Host.Cli;

/// <summary>Builds the logger factory of the <c>fabric</c> executable.</summary>
public static class LoggingSetup
{
    /// <summary>The timestamp prefix of every log line: UTC, ISO 8601 with milliseconds, then a space.</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";

    /// <summary>
    /// Creates a logger factory that writes one line per message to standard error (all levels, so
    /// standard output stays free for command output) with the simple console formatter: UTC
    /// timestamp (<see cref="TimestampFormat"/>), level, category, message; no scopes.
    /// </summary>
    /// <param name="minimum">The lowest level written, e.g. <see cref="LogLevel.Information"/>.</param>
    /// <returns>A factory the caller disposes (disposing flushes pending lines).</returns>
    public static ILoggerFactory Create(LogLevel minimum) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(minimum);
        builder.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.IncludeScopes = false;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = TimestampFormat;
            options.ColorBehavior = LoggerColorBehavior.Default;
        });
    });
}
