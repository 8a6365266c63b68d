using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fabric.Host.Control;

/// <summary>
/// The table of control commands a running node answers, after OVS's unixctl command table
/// (<c>unixctl_command_register</c>, <c>lib/unixctl.c</c>). It validates argument counts, runs
/// handlers and turns every failure into a one-line <see cref="ControlReply.Error(string)"/>. It comes
/// with two built-in commands: <c>list-commands</c> (the ovs-appctl listing: a header line, then one
/// line per command, sorted by name, with its syntax) and <c>help [COMMAND]</c> (the same list with
/// summaries, or the usage and summary of one command).
/// </summary>
/// <remarks>Thread-safe: commands may be registered while requests are being executed.</remarks>
public sealed partial class ControlCommandRegistry
{
    /// <summary>The first line of the <c>list-commands</c> output, as in ovs-appctl.</summary>
    public const string ListHeader = "The available commands are:";

    private readonly ConcurrentDictionary<string, ControlCommand> _commands = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    /// <summary>Creates a registry holding only the built-in <c>list-commands</c> and <c>help</c> commands.</summary>
    /// <param name="logger">Receives a warning with the stack trace when a handler throws; null for none.</param>
    public ControlCommandRegistry(ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
        Register("list-commands", string.Empty, "Lists the commands of the running node with their syntax.",
            ListCommandsAsync, minArgs: 0, maxArgs: 0);
        Register("help", "[COMMAND]", "Shows every command with a summary, or the usage of one command.",
            HelpAsync, minArgs: 0, maxArgs: 1);
    }

    /// <summary>The registered commands, sorted by name (ordinal).</summary>
    public IReadOnlyList<ControlCommand> Commands
    {
        get
        {
            ControlCommand[] commands = _commands.Values.ToArray();
            Array.Sort(commands, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            return commands;
        }
    }

    /// <summary>
    /// Registers a command, like OVS's <c>unixctl_command_register(name, usage, min_args, max_args, cb, aux)</c>.
    /// </summary>
    /// <param name="name">The command name, e.g. <c>fdb/show</c>: non-empty, no whitespace, unique.</param>
    /// <param name="argsSyntax">The argument syntax printed by <c>list-commands</c>, e.g. <c>[BRIDGE]</c>; empty for none.</param>
    /// <param name="summary">One sentence printed by <c>help</c>.</param>
    /// <param name="handler">Runs the command.</param>
    /// <param name="minArgs">The fewest arguments accepted (default 0).</param>
    /// <param name="maxArgs">The most arguments accepted (default <see cref="int.MaxValue"/>, no limit).</param>
    /// <returns>The registered command.</returns>
    /// <exception cref="ArgumentException">The name is empty, contains whitespace or is already registered.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minArgs"/> is negative or greater than <paramref name="maxArgs"/>.</exception>
    public ControlCommand Register(
        string name,
        string argsSyntax,
        string summary,
        ControlCommandHandler handler,
        int minArgs = 0,
        int maxArgs = int.MaxValue)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(argsSyntax);
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfNegative(minArgs);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxArgs, minArgs);
        foreach (char c in name)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                throw new ArgumentException($"control command name '{name}' must not contain whitespace", nameof(name));
            }
        }

        var command = new ControlCommand(name, argsSyntax.Trim(), summary.Trim(), minArgs, maxArgs, handler);
        if (!_commands.TryAdd(name, command))
        {
            throw new ArgumentException($"control command '{name}' is already registered", nameof(name));
        }

        return command;
    }

    /// <summary>Looks up a command by its exact name.</summary>
    /// <param name="name">The command name.</param>
    /// <param name="command">The command, when found.</param>
    /// <returns>True when a command of that name is registered.</returns>
    public bool TryGetCommand(string name, [NotNullWhen(true)] out ControlCommand? command) =>
        _commands.TryGetValue(name, out command);

    /// <summary>
    /// Runs one request: looks the command up, checks the argument count, invokes the handler and
    /// converts any failure into an error reply. Never throws for a bad request or a failing handler.
    /// </summary>
    /// <param name="request">The request; a null argument list counts as empty.</param>
    /// <param name="ct">Passed to the handler; cancelled when the server shuts down.</param>
    /// <returns>The handler's reply, or an error reply naming the problem.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled while the handler ran.</exception>
    public async Task<ControlReply> ExecuteAsync(ControlRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? name = request.Command;
        if (string.IsNullOrEmpty(name))
        {
            return ControlReply.Error("request has no command");
        }

        if (!_commands.TryGetValue(name, out ControlCommand? command))
        {
            return UnknownCommand(name);
        }

        IReadOnlyList<string> args = request.Args ?? [];
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] is null)
            {
                return ControlReply.Error($"'{name}' command has a null argument");
            }
        }

        if (args.Count < command.MinArgs)
        {
            return ControlReply.Error(
                $"'{name}' command requires at least {Plural(command.MinArgs, "argument")} (usage: {command.Usage})");
        }

        if (args.Count > command.MaxArgs)
        {
            return ControlReply.Error(
                $"'{name}' command takes at most {Plural(command.MaxArgs, "argument")} (usage: {command.Usage})");
        }

        try
        {
            ControlReply? reply = await command.Handler(args, ct).ConfigureAwait(false);
            return reply ?? ControlReply.Error($"'{name}' command returned no reply");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            LogHandlerFailed(_logger, name, ex);
            return ControlReply.Error(string.IsNullOrWhiteSpace(ex.Message) ? ex.GetType().Name : ex.Message);
        }
    }

    private static ControlReply UnknownCommand(string name) =>
        ControlReply.Error($"'{name}' is not a valid command (use 'fabric ctl list-commands' to see them)");

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    private Task<ControlReply> ListCommandsAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        // ovs-appctl list-commands: "  %-23s %s" per command (lib/unixctl.c); trailing blanks trimmed.
        var text = new StringBuilder(ListHeader).Append('\n');
        foreach (ControlCommand command in Commands)
        {
            text.Append(("  " + command.Name.PadRight(23) + " " + command.ArgsSyntax).TrimEnd()).Append('\n');
        }

        return Task.FromResult(ControlReply.Ok(text.ToString()));
    }

    private Task<ControlReply> HelpAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        if (args.Count == 1)
        {
            if (!_commands.TryGetValue(args[0], out ControlCommand? one))
            {
                return Task.FromResult(UnknownCommand(args[0]));
            }

            return Task.FromResult(ControlReply.Ok($"usage: fabric ctl {one.Usage}\n{one.Summary}\n"));
        }

        IReadOnlyList<ControlCommand> commands = Commands;
        int width = 0;
        foreach (ControlCommand command in commands)
        {
            width = Math.Max(width, command.Usage.Length);
        }

        var text = new StringBuilder("Commands of the running node (fabric ctl COMMAND [ARG...]):\n");
        foreach (ControlCommand command in commands)
        {
            text.Append(("  " + command.Usage.PadRight(width) + "  " + command.Summary).TrimEnd()).Append('\n');
        }

        return Task.FromResult(ControlReply.Ok(text.ToString()));
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "control command '{Command}' failed")]
    private static partial void LogHandlerFailed(ILogger logger, string command, Exception exception);
}
