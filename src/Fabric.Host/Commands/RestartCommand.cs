using Fabric.Host.Control;
using Fabric.Host.Node;
using Microsoft.Extensions.Logging;

namespace Fabric.Host.Commands;

/// <summary>
/// <c>restart [--exec PATH]</c>: hand the node over to a new process of this build, or of the build at PATH (an
/// upgrade), without losing a frame (<see cref="FabricNode.HandOverAsync"/>); the old process exits only once the new
/// one forwards, and a successor that fails leaves the old one forwarding.
/// </summary>
public static class RestartCommand
{
    /// <summary>Registers <c>restart</c>.</summary>
    /// <param name="registry">Where.</param>
    /// <param name="node">The running node.</param>
    /// <param name="configPath">The configuration file the successor is started with.</param>
    /// <param name="level">The successor's log level.</param>
    /// <param name="releaseControlSocket">Frees the control socket's path for the successor.</param>
    /// <param name="exit">Called once the successor forwards: this process exits.</param>
    public static void Register(ControlCommandRegistry registry, FabricNode node, string configPath, LogLevel level, Action releaseControlSocket, Action exit)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Register(
            "restart",
            "[--exec PATH]",
            "hand the node over to a new process (of this build, or PATH: an upgrade) without losing a frame",
            async (a, _) =>
            {
                string? exec = null;
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] == "--exec" && i + 1 < a.Count)
                    {
                        exec = a[++i];
                    }
                    else
                    {
                        return ControlReply.Error($"restart: unknown argument '{a[i]}' (expected --exec PATH)");
                    }
                }

                if (exec is not null && !File.Exists(exec))
                {
                    return ControlReply.Error($"restart: --exec {exec}: no such file");
                }

                var command = FabricCommand.Build(exec).With("run", "--config", configPath, "--log-level", level.ToString());
                var result = await node.HandOverAsync(command, releaseControlSocket).ConfigureAwait(false);
                if (!result.Ok)
                {
                    return ControlReply.Error(result.Message);
                }

                exit();
                return ControlReply.Ok(result.Message);
            },
            0,
            2);
    }
}
