using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Fabric.Host.Control;
using Spectre.Console;

namespace Fabric.Host.Cli;

/// <summary>
/// Builds the <c>ctl</c> subcommand: <c>fabric ctl [--socket PATH] [--timeout SECONDS] COMMAND [ARG...]</c>,
/// the ovs-appctl of Fabric. It sends COMMAND and its arguments to the running node over the control
/// socket (<see cref="ControlClient"/>), prints the reply's output to standard output and exits 0, or
/// prints <c>fabric ctl: MESSAGE</c> to standard error and exits 2.
/// </summary>
/// <remarks>
/// Every token after COMMAND is passed to the node verbatim, including ones that look like options
/// (<c>dpctl/dump-flows -m</c>, <c>exit --cleanup</c>), except <c>ctl</c>'s own options
/// (<c>--socket</c>, <c>--timeout</c>, <c>-h</c>/<c>--help</c>/<c>-?</c>): put <c>--</c> before an
/// argument that must not be read as one of those.
/// </remarks>
public static class CtlCommandFactory
{
    /// <summary>The subcommand's name.</summary>
    public const string CommandName = "ctl";

    /// <summary>The default <c>--timeout</c>, in seconds.</summary>
    public const double DefaultTimeoutSeconds = 10;

    /// <summary>The exit code for any failure: the node's error reply, no node, timeout.</summary>
    public const int ErrorExitCode = ControlReply.StatusError;

    private const string Description =
        "Send a command to the running fabric node over its control socket and print the reply " +
        "(like ovs-appctl).\n" +
        "\n" +
        "Usual commands:\n" +
        "  show                     bridges, ports and interfaces (like ovs-vsctl show)\n" +
        "  fdb/show BRIDGE          the MAC learning table of BRIDGE\n" +
        "  fdb/flush [BRIDGE]       forget learned MACs (all bridges if none given)\n" +
        "  dpctl/dump-flows [-m]    the datapath megaflows (-m: verbose)\n" +
        "  dpctl/del-flows          delete every datapath flow\n" +
        "  dpctl/show               datapath lookup statistics, masks and ports\n" +
        "  exit [--cleanup]         stop the node; --cleanup also deletes datapath flows\n" +
        "  list-commands            every command the node knows, with its syntax\n" +
        "\n" +
        "'fabric ctl list-commands' asks the running node for its full command list. Arguments after " +
        "COMMAND are passed through as they are; use '--' before one that looks like --socket, " +
        "--timeout or --help.";

    /// <summary>Creates the <c>ctl</c> command, ready to be added to the root command.</summary>
    /// <returns>A new <see cref="Command"/> named <see cref="CommandName"/> with its action set.</returns>
    public static Command Create()
    {
        var socket = new Option<string>("--socket")
        {
            Description = $"The node's control socket (${ControlProtocol.SocketPathVariable} overrides the default)",
            HelpName = "PATH",
            DefaultValueFactory = static _ => ControlProtocol.ResolveDefaultSocketPath(),
        };
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds to wait for the node's reply",
            HelpName = "SECONDS",
            DefaultValueFactory = static _ => DefaultTimeoutSeconds,
        };
        timeout.Validators.Add(static result =>
        {
            double seconds = result.GetValueOrDefault<double>();
            if (!double.IsFinite(seconds) || seconds <= 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
            {
                result.AddError("--timeout must be a positive number of seconds");
            }
        });
        var verb = new Argument<string>("COMMAND")
        {
            Description = "The command for the node, e.g. fdb/show (see 'fabric ctl list-commands')",
        };
        var args = new Argument<string[]>("ARG")
        {
            Description = "The command's arguments, passed through verbatim",
            Arity = ArgumentArity.ZeroOrMore,
            DefaultValueFactory = static _ => [],
        };

        var command = new Command(CommandName, Description) { socket, timeout, verb, args };
        command.SetAction((parseResult, ct) => RunAsync(parseResult, socket, timeout, verb, args, ct));
        return command;
    }

    private static async Task<int> RunAsync(
        ParseResult parseResult,
        Option<string> socketOption,
        Option<double> timeoutOption,
        Argument<string> verbArgument,
        Argument<string[]> argsArgument,
        CancellationToken ct)
    {
        TextWriter output = parseResult.InvocationConfiguration.Output;
        TextWriter error = parseResult.InvocationConfiguration.Error;
        string socketPath = parseResult.GetValue(socketOption) ?? ControlProtocol.ResolveDefaultSocketPath();
        double seconds = parseResult.GetValue(timeoutOption);
        string verb = parseResult.GetValue(verbArgument) ?? string.Empty;
        string[] args = parseResult.GetValue(argsArgument) ?? [];
        if (string.IsNullOrWhiteSpace(verb))
        {
            WriteError(error, "no command given (try 'fabric ctl list-commands')");
            return ErrorExitCode;
        }

        ControlReply reply = await ControlClient.SendAsync(
            socketPath, verb, args, TimeSpan.FromSeconds(seconds), ct).ConfigureAwait(false);
        if (!reply.IsOk)
        {
            WriteError(error, reply.Output);
            return ErrorExitCode;
        }

        if (reply.Output.Length > 0)
        {
            await output.WriteAsync(reply.Output).ConfigureAwait(false);
            if (!reply.Output.EndsWith('\n'))
            {
                await output.WriteAsync('\n').ConfigureAwait(false);
            }

            await output.FlushAsync(ct).ConfigureAwait(false);
        }

        return 0;
    }

    private static void WriteError(TextWriter error, string message)
    {
        if (ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected)
        {
            // A person at a terminal: the same single line, with the prefix highlighted.
            IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[red]fabric ctl:[/] {message}");
            return;
        }

        error.WriteLine($"fabric ctl: {message}");
        error.Flush();
    }
}
