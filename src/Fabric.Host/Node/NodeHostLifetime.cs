using Microsoft.Extensions.Hosting;

namespace Fabric.Host.Node;

/// <summary>
/// The node's host lifetime: it does nothing by itself. The default console lifetime would stop the host (and with it
/// the actor system) on SIGTERM before the node has saved its datapath snapshot; <c>fabric run</c> handles SIGTERM and
/// SIGINT itself and stops the host last (see <see cref="FabricNode.DisposeAsync"/>).
/// </summary>
internal sealed class NodeHostLifetime : IHostLifetime
{
    /// <inheritdoc />
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
