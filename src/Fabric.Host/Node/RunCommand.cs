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
            Description = "take the ports over from the running node listening on this handover socket (used by 'fabric ctl restart')",
        };
        var command = new Command("run", "start the fabric node: open the configured ports, run the bridges, forward frames")
        {
            config,
            logLevel,
            takeover,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(config)!, parse.GetValue(logLevel), ct, parse.GetValue(takeover)));
        return command;
    }

    /// <summary>Runs a node until it is told to stop; returns the process exit code (0 ok, 2 bad config or start failure).</summary>
    public static async Task<int> RunAsync(FileInfo configFile, LogLevel level, CancellationToken ct, string? takeoverSocket = null)
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
            var registry = new ControlCommandRegistry();
            NodeCommands.Register(registry, node, cleanup =>
            {
                log.LogInformation("exit requested{Cleanup}", cleanup ? " (--cleanup: datapath flows deleted)" : "");
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
