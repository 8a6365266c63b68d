using Fabric.Host.Keeper;
using Microsoft.Extensions.Logging;

namespace Fabric.Host.Node;

/// <summary>A node under a keeper (<c>fabric run --keeper</c>): its link to the keeper that holds its port descriptors.</summary>
public sealed partial class FabricNode
{
    /// <summary>The keeper holding this node's port descriptors, or null (no keeper, or the deposit failed).</summary>
    public KeeperLink? Keeper { get; private set; }

    /// <summary>
    /// Deposits every AF_PACKET and TAP descriptor of this node with the keeper at <paramref name="socketPath"/> (it holds
    /// them through a crash of this process), and keeps the link for <c>exit</c> and restarts. A failure is logged and
    /// returned: the node forwards on, but a crash would then lose the frames of its outage.
    /// </summary>
    /// <returns>Null when the keeper holds the descriptors, else the error.</returns>
    public async Task<string?> DepositWithKeeperAsync(string socketPath)
    {
        var (ports, fds) = PortDescriptors();
        try
        {
            Keeper = await KeeperLink.DepositAsync(socketPath, ports, fds).ConfigureAwait(false);
            _log.LogInformation("keeper pid {Keeper} holds this node's {Count} port descriptors ({Socket})", Keeper.KeeperPid, Keeper.Kept, socketPath);
            return null;
        }
        catch (Exception e) when (e is IOException or global::System.Net.Sockets.SocketException or OperationCanceledException)
        {
            _log.LogWarning("keeper {Socket}: the port descriptors could not be deposited ({Error}); a crash of this node would lose the frames of its outage", socketPath, e.Message);
            return e.Message;
        }
    }
}
