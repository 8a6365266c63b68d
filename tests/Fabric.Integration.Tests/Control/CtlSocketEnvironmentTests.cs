using System.CommandLine;
using Fabric.Host.Cli;
using Fabric.Host.Control;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Fabric.Integration.Tests.Control;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "process environment";
}

/// <summary>Changes FABRIC_CTL_SOCKET, so it runs alone.</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class CtlSocketEnvironmentTests
{
    [Fact]
    public async Task Socket_defaults_to_FABRIC_CTL_SOCKET_then_to_run_fabric()
    {
        using var dir = new ControlSocketDirectory();
        var registry = new ControlCommandRegistry();
        registry.Register("show", string.Empty, "Shows.", static (_, _) => Task.FromResult(ControlReply.Ok("shown\n")));
        await using var server = new ControlServer(dir.SocketPath, registry, NullLogger.Instance);
        await server.StartAsync(CancellationToken.None);
        string? saved = Environment.GetEnvironmentVariable(ControlProtocol.SocketPathVariable);
        try
        {
            Environment.SetEnvironmentVariable(ControlProtocol.SocketPathVariable, dir.SocketPath);
            var root = new RootCommand("fabric under test") { CtlCommandFactory.Create() };
            var output = new StringWriter();
            int exitCode = await root.Parse(["ctl", "show"]).InvokeAsync(new InvocationConfiguration { Output = output, Error = new StringWriter() });

            Assert.Equal(0, exitCode);
            Assert.Equal("shown\n", output.ToString());

            Environment.SetEnvironmentVariable(ControlProtocol.SocketPathVariable, null);
            Assert.Equal("/run/fabric/fabric.ctl", ControlProtocol.ResolveDefaultSocketPath());
        }
        finally
        {
            Environment.SetEnvironmentVariable(ControlProtocol.SocketPathVariable, saved);
        }
    }
}
