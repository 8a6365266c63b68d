using Fabric.Host.Control;
using Xunit;

namespace Fabric.Integration.Tests.Control;

public sealed class ControlCommandRegistryTests
{
    private static Task<ControlReply> Nothing(IReadOnlyList<string> args, CancellationToken ct) =>
        Task.FromResult(ControlReply.Ok(string.Empty));

    [Fact]
    public async Task List_commands_prints_the_ovs_appctl_listing_sorted_by_name()
    {
        var registry = new ControlCommandRegistry();
        registry.Register("fdb/show", "BRIDGE", "Shows the MAC table.", Nothing, 1, 1);
        registry.Register("dpctl/dump-flows", "[-m]", "Dumps megaflows.", Nothing, 0, 1);
        registry.Register("show", string.Empty, "Shows the configuration.", Nothing, 0, 0);
        registry.Register("a-very-long-command-name-indeed", "X", "Long.", Nothing, 1, 1);

        ControlReply reply = await registry.ExecuteAsync(new ControlRequest("list-commands", []), CancellationToken.None);

        Assert.Equal(
            "The available commands are:\n" +
            "  a-very-long-command-name-indeed X\n" +
            "  dpctl/dump-flows        [-m]\n" +
            "  fdb/show                BRIDGE\n" +
            "  help                    [COMMAND]\n" +
            "  list-commands\n" +
            "  show\n",
            reply.Output);
        Assert.True(reply.IsOk);
    }

    [Fact]
    public async Task Help_lists_summaries_or_describes_one_command()
    {
        var registry = new ControlCommandRegistry();
        registry.Register("fdb/flush", "[BRIDGE]", "Forgets learned MACs.", Nothing, 0, 1);

        ControlReply all = await registry.ExecuteAsync(new ControlRequest("help", []), CancellationToken.None);
        ControlReply one = await registry.ExecuteAsync(new ControlRequest("help", ["fdb/flush"]), CancellationToken.None);
        ControlReply unknown = await registry.ExecuteAsync(new ControlRequest("help", ["nope"]), CancellationToken.None);

        Assert.Equal(
            "Commands of the running node (fabric ctl COMMAND [ARG...]):\n" +
            "  fdb/flush [BRIDGE]  Forgets learned MACs.\n" +
            "  help [COMMAND]      Shows every command with a summary, or the usage of one command.\n" +
            "  list-commands       Lists the commands of the running node with their syntax.\n",
            all.Output);
        Assert.Equal("usage: fabric ctl fdb/flush [BRIDGE]\nForgets learned MACs.\n", one.Output);
        Assert.Equal(ControlReply.Error("'nope' is not a valid command (use 'fabric ctl list-commands' to see them)"), unknown);
    }

    [Fact]
    public void Register_rejects_duplicates_bad_names_and_bad_limits()
    {
        var registry = new ControlCommandRegistry();
        registry.Register("show", string.Empty, "Shows.", Nothing);

        Assert.Throws<ArgumentException>(() => registry.Register("show", string.Empty, "Again.", Nothing));
        Assert.Throws<ArgumentException>(() => registry.Register("list-commands", string.Empty, "Built-in.", Nothing));
        Assert.Throws<ArgumentException>(() => registry.Register("fdb show", string.Empty, "Space.", Nothing));
        Assert.Throws<ArgumentException>(() => registry.Register(string.Empty, string.Empty, "Empty.", Nothing));
        Assert.Throws<ArgumentOutOfRangeException>(() => registry.Register("neg", string.Empty, "Neg.", Nothing, -1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => registry.Register("inv", string.Empty, "Inverted.", Nothing, 2, 1));
        Assert.True(registry.TryGetCommand("show", out ControlCommand? show));
        Assert.Equal(int.MaxValue, show.MaxArgs);
        Assert.False(registry.TryGetCommand("neg", out _));
    }

    [Fact]
    public async Task Missing_command_or_args_are_handled_without_throwing()
    {
        var registry = new ControlCommandRegistry();
        registry.Register("count", "[X...]", "Counts.", static (args, _) => Task.FromResult(ControlReply.Ok(args.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))));

        ControlReply noCommand = await registry.ExecuteAsync(new ControlRequest(null!, []), CancellationToken.None);
        ControlReply noArgs = await registry.ExecuteAsync(new ControlRequest("count", null!), CancellationToken.None);
        ControlReply nullArg = await registry.ExecuteAsync(new ControlRequest("count", ["a", null!]), CancellationToken.None);

        Assert.Equal(ControlReply.Error("request has no command"), noCommand);
        Assert.Equal(ControlReply.Ok("0"), noArgs);
        Assert.Equal(ControlReply.Error("'count' command has a null argument"), nullArg);
    }

    [Fact]
    public async Task Cancellation_of_the_server_token_propagates_instead_of_becoming_an_error_reply()
    {
        var registry = new ControlCommandRegistry();
        registry.Register("wait", string.Empty, "Waits.", static async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return ControlReply.Ok("never");
        });
        using var cts = new CancellationTokenSource();

        Task<ControlReply> running = registry.ExecuteAsync(new ControlRequest("wait", []), cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public void Error_replies_are_forced_onto_one_line()
    {
        Assert.Equal("a b c", ControlReply.Error("  a\r\n b \n\nc ").Output);
        Assert.Equal("unknown error", ControlReply.Error("  ").Output);
        Assert.Equal(ControlReply.StatusError, ControlReply.Error("x").Status);
        Assert.Equal(new ControlReply(0, "x\n"), ControlReply.Ok("x\n"));
    }
}
