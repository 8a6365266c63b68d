using Fabric.Host.Cli;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Fabric.Integration.Tests.Control;

public sealed class LoggingSetupTests
{
    [Theory]
    [InlineData(LogLevel.Information, LogLevel.Debug, false)]
    [InlineData(LogLevel.Information, LogLevel.Information, true)]
    [InlineData(LogLevel.Warning, LogLevel.Information, false)]
    [InlineData(LogLevel.Trace, LogLevel.Trace, true)]
    public void Minimum_level_is_honoured(LogLevel minimum, LogLevel level, bool enabled)
    {
        using ILoggerFactory factory = LoggingSetup.Create(minimum);

        Assert.Equal(enabled, factory.CreateLogger("Fabric.Test").IsEnabled(level));
    }
}
