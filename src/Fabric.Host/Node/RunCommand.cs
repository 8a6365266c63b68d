using System.CommandLine;
using System.Runtime.InteropServices;
using Fabric.Datapath.Ports;
using Fabric.Host.Cli;
using Fabric.Host.Commands;
using Fabric.Host.Configuration;
using Fabric.Host.Control;
using Fabric.Host.Configuration.Hocon;
using Microsoft.Extensions.Logging;

namespace Fabric.Host.Node;

/// <summary><c>fabric run --config FILE</c>: starts a node and serves <c>fabric ctl</c> until exit or SIGTERM.</summary>
public static class RunCommand
{
    /// <summary>Builds the <c>run</c> subcommand.</summary>
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c")
        {
            Description = "HOCON configuration file (falls back to the reference hocon/fabric.conf)",
            Required = true,
        };
        var logLevel = new Option<LogLevel>("--log-level")
        {
            Description = "minimum log level (Trace, Debug, Information, Warning, Error)",
            DefaultValueFactory = _ => LogLevel.Information,
        };
        var takeover = new Option<string?>("--takeover")
        {
            Description = "take the ports over from the running node (or keeper) listening on this handover socket (set by 'fabric ctl restart' and by the keeper)",
        };
        var keeper = new Option<bool>("--keeper")
        {
            Description = "start a keeper: a small process (no actor system) that runs the node as its child and holds its port "
                + "descriptors, so that when the node dies (kill -9, a crash) the frames wait in the kernel and a new node takes "
                + "the ports over and comes back warm from the journal. A node that forwarded for 1 s is restarted at once; after "
                + "one that died sooner the keeper waits 250 ms, doubling up to 30 s (restart back-off). 'fabric ctl exit' or "
                + "SIGTERM to the keeper ends both; SIGTERM to the node alone only restarts it. If the first node fails before it "
                + "forwards, the keeper exits with its exit code",
        };
        var keeperSocket = new Option<string?>("--keeper-socket")
        {
            Description = "deposit the port descriptors with the keeper listening on this socket once forwarding (set by the keeper for the nodes it starts)",
        };
        var command = new Command("run", "start the fabric node: open the configured ports, run the bridges, forward frames")
        {
            config,
            logLevel,
            takeover,
            keeper,
            keeperSocket,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (!parse.GetValue(keeper))
            {
                return await RunAsync(parse.GetValue(config)!, parse.GetValue(logLevel), ct, parse.GetValue(takeover), parse.GetValue(keeperSocket)).ConfigureAwait(false);
            }

            if (parse.GetValue(takeover) is not null || parse.GetValue(keeperSocket) is not null)
            {
                await Console.Error.WriteLineAsync("fabric run: --keeper starts a keeper; --takeover and --keeper-socket are for the nodes it starts").ConfigureAwait(false);
                return 2;
            }

            return await Fabric.Host.Keeper.NodeKeeper.RunAsync(parse.GetValue(config)!, parse.GetValue(logLevel), ct).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Runs a node until it is told to stop; returns the process exit code (0 ok, 2 bad config or start failure).</summary>
    /// <param name="configFile">The configuration.</param>
    /// <param name="level">The log level.</param>
    /// <param name="ct">Stops the node.</param>
    /// <param name="takeoverSocket">Take the ports over from the node or keeper listening there (<c>--takeover</c>).</param>
    /// <param name="keeperSocket">Deposit the ports with the keeper listening there once forwarding (<c>--keeper-socket</c>).</param>
    public static async Task<int> RunAsync(FileInfo configFile, LogLevel level, CancellationToken ct, string? takeoverSocket = null, string? keeperSocket = null)
    {
        NodeSettings settings;
        Fabric.Host.Node.Handover.TakeoverClient? takeover = null;
        try
        {
            if (takeoverSocket is not null)
            {
                // First of all, so that whatever fails from here on is reported to the running node.
                takeover = await Fabric.Host.Node.Handover.TakeoverClient.ConnectAsync(takeoverSocket).ConfigureAwait(false);
            }

            StartupTrace.Mark("main");

            // The native SQLite library loads on the other core while this one reads the configuration.
            _ = Task.Run(Fabric.Actors.Datapath.Persistence.JournalStore.WarmUpSqlite);

            settings = NodeSettingsLoader.LoadFile(configFile.FullName);
            StartupTrace.Mark("config");
            if (takeover is not null)
            {
                await takeover.HelloAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is ConfigException or FileNotFoundException or IOException)
        {
            // One line: "fabric run: file:line:column: path: reason" (ConfigException messages never contain a line break).
            await Console.Error.WriteLineAsync($"fabric run: {e.Message}").ConfigureAwait(false);
            if (takeover is not null)
            {
                await takeover.FailAsync(e.Message).ConfigureAwait(false);
            }

            return 2;
        }

        using var loggerFactory = LoggingSetup.Create(level);
        var log = loggerFactory.CreateLogger("fabric");
        FabricNode node;
        try
        {
            node = await FabricNode.StartAsync(settings, loggerFactory, level, takeover: takeover).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PortException or IOException or UnauthorizedAccessException or InvalidOperationException or Akka.Configuration.ConfigurationException or System.Net.Sockets.SocketException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"fabric run: {e.Message.ReplaceLineEndings(" ")}").ConfigureAwait(false);
            if (takeover is not null)
            {
                await takeover.FailAsync(e.Message).ConfigureAwait(false);
            }

            return 2;
        }
        catch (Exception e) when (takeover is not null)
        {
            // Whatever went wrong, the running node must hear it: it goes on forwarding.
            await Console.Error.WriteLineAsync($"fabric run: takeover failed: {e}").ConfigureAwait(false);
            await takeover.FailAsync($"{e.GetType().Name}: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        await using (node.ConfigureAwait(false))
        {
            if (keeperSocket is not null)
            {
                await node.DepositWithKeeperAsync(keeperSocket).ConfigureAwait(false);
            }

            var exitRequested = false;
            var registry = new ControlCommandRegistry();
            NodeCommands.Register(registry, node, cleanup =>
            {
                log.LogInformation("exit requested{Cleanup}", cleanup ? " (--cleanup: datapath flows deleted)" : "");
                exitRequested = true;
                node.RequestStop();
            });
            await using var server = new ControlServer(settings.ControlSocket, registry, loggerFactory.CreateLogger("fabric.control"));
            RestartCommand.Register(registry, node, configFile.FullName, level, server.ReleasePath, () =>
            {
                log.LogInformation("restart: the successor forwards; exiting");
                node.RequestStop();
            });
            await server.StartAsync(ct).ConfigureAwait(false);
            log.LogInformation("control socket {Socket}", settings.ControlSocket);

            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, node.Stopping);
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stop requested.
            }

            if (exitRequested && node.Keeper is { } keeper && await keeper.AnnounceExitAsync().ConfigureAwait(false) is { } notHeard)
            {
                log.LogWarning("the keeper did not hear of the exit ({Error}): it will start a new node", notHeard);
            }

            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                log.LogInformation("{Signal}: stopping", context.Signal);
                node.RequestStop();
            }
        }

        return 0;
    }
}
