using Fabric.Host.Commands;
using Fabric.Host.Configuration;
using Fabric.Host.Configuration.Hocon;
using Fabric.Host.Control;
using Fabric.Host.Node;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fabric.Integration.Tests.Lab;

/// <summary>A fabric node started in the test process from HOCON text, serving its real control socket.</summary>
public sealed class InProcessFabric : IAsyncDisposable
{
    private readonly ControlServer _server;

    private InProcessFabric(FabricNode node, ControlServer server)
    {
        Node = node;
        _server = server;
    }

    /// <summary>The running node.</summary>
    public FabricNode Node { get; }

    /// <summary>Loads <paramref name="config"/>, starts the node and its control server on the configured socket.</summary>
    public static async Task<InProcessFabric> StartAsync(string config, string origin)
    {
        var settings = NodeSettingsLoader.FromConfig(ConfigReader.ParseString(config, origin));
        var node = await FabricNode.StartAsync(settings, NullLoggerFactory.Instance);
        var registry = new ControlCommandRegistry();
        NodeCommands.Register(registry, node, _ => node.RequestStop());
        var server = new ControlServer(settings.ControlSocket, registry, NullLogger.Instance);
        try
        {
            await server.StartAsync(CancellationToken.None);
        }
        catch
        {
            await server.DisposeAsync();
            await node.DisposeAsync();
            throw;
        }

        return new InProcessFabric(node, server);
    }

    /// <summary>Sends a control command over the real socket; throws when it fails.</summary>
    public async Task<string> Ctl(string command, params string[] args)
    {
        var reply = await ControlClient.SendAsync(_server.SocketPath, command, args, TimeSpan.FromSeconds(10));
        return reply.IsOk ? reply.Output : throw new InvalidOperationException($"{command}: {reply.Output}");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await Node.DisposeAsync();
    }
}
