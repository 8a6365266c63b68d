using System.CommandLine;
using Fabric.Host.Cli;
using Fabric.Host.Control;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Fabric.Integration.Tests.Control;

public sealed class CtlCommandTests
{
    private sealed record Run(int ExitCode, string Output, string Error);

    private static async Task<Run> InvokeAsync(params string[] args)
    {
        var root = new RootCommand("fabric under test") { CtlCommandFactory.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        ParseResult parsed = root.Parse(args);
        int exitCode = await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return new Run(exitCode, output.ToString(), error.ToString());
    }

    private static ControlCommandRegistry EchoingRegistry()
    {
        var registry = new ControlCommandRegistry();
        foreach (string name in new[] { "dpctl/dump-flows", "exit", "fdb/show" })
        {
            registry.Register(name, "[ARG...]", "Echoes.",
                (args, _) => Task.FromResult(ControlReply.Ok($"{name} [{string.Join('|', args)}]")));
        }

        registry.Register("fail", string.Empty, "Fails.", static (_, _) => Task.FromResult(ControlReply.Error("no bridge named br9")));
        return registry;
    }

    [Fact]
    public void Ctl_command_passes_option_like_tokens_after_the_verb_through_as_args()
    {
        var root = new RootCommand("fabric under test") { CtlCommandFactory.Create() };

        ParseResult parsed = root.Parse(["ctl", "--socket", "/tmp/x.ctl", "dpctl/dump-flows", "-m"]);

        Assert.Empty(parsed.Errors);
        Assert.Equal("/tmp/x.ctl", parsed.GetValue<string>("--socket"));
        Assert.Equal("dpctl/dump-flows", parsed.GetValue<string>("COMMAND"));
        Assert.Equal(["-m"], parsed.GetValue<string[]>("ARG") ?? []);
    }

    [Fact]
    public async Task Ctl_sends_the_verb_and_its_args_and_prints_the_output()
    {
        using var dir = new ControlSocketDirectory();
        await using var server = new ControlServer(dir.SocketPath, EchoingRegistry(), NullLogger.Instance);
        await server.StartAsync(CancellationToken.None);

        Run dumpFlows = await InvokeAsync("ctl", "--socket", dir.SocketPath, "dpctl/dump-flows", "-m");
        Run exit = await InvokeAsync("ctl", "--socket", dir.SocketPath, "--timeout", "5", "exit", "--cleanup");
        Run dashDash = await InvokeAsync("ctl", "--socket", dir.SocketPath, "fdb/show", "--", "--help", "--socket");

        Assert.Equal(new Run(0, "dpctl/dump-flows [-m]\n", string.Empty), dumpFlows);
        Assert.Equal(new Run(0, "exit [--cleanup]\n", string.Empty), exit);
        Assert.Equal(new Run(0, "fdb/show [--help|--socket]\n", string.Empty), dashDash);
    }

    [Fact]
    public async Task Ctl_prints_error_replies_to_stderr_with_exit_code_2()
    {
        using var dir = new ControlSocketDirectory();
        await using var server = new ControlServer(dir.SocketPath, EchoingRegistry(), NullLogger.Instance);
        await server.StartAsync(CancellationToken.None);

        Run failed = await InvokeAsync("ctl", "--socket", dir.SocketPath, "fail");
        Run unknown = await InvokeAsync("ctl", "--socket", dir.SocketPath, "xyz");

        Assert.Equal(new Run(2, string.Empty, "fabric ctl: no bridge named br9" + Environment.NewLine), failed);
        Assert.Equal(
            new Run(2, string.Empty, "fabric ctl: 'xyz' is not a valid command (use 'fabric ctl list-commands' to see them)" + Environment.NewLine),
            unknown);
    }

    [Fact]
    public async Task Ctl_without_a_node_says_so_in_one_line()
    {
        using var dir = new ControlSocketDirectory();

        Run run = await InvokeAsync("ctl", "--socket", dir.SocketPath, "show");

        Assert.Equal(
            new Run(2, string.Empty,
                $"fabric ctl: cannot connect to fabric at {dir.SocketPath}: No such file or directory — is `fabric run` running?" + Environment.NewLine),
            run);
    }

    [Fact]
    public async Task Ctl_list_commands_prints_the_node_listing()
    {
        using var dir = new ControlSocketDirectory();
        await using var server = new ControlServer(dir.SocketPath, EchoingRegistry(), NullLogger.Instance);
        await server.StartAsync(CancellationToken.None);

        Run run = await InvokeAsync("ctl", "--socket", dir.SocketPath, "list-commands");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("The available commands are:\n  dpctl/dump-flows        [ARG...]\n", run.Output);
    }

    [Fact]
    public async Task Ctl_help_lists_the_usual_verbs()
    {
        Run run = await InvokeAsync("ctl", "--help");

        Assert.Equal(0, run.ExitCode);
        foreach (string expected in new[]
        {
            "show", "fdb/show BRIDGE", "fdb/flush [BRIDGE]", "dpctl/dump-flows [-m]", "dpctl/del-flows",
            "dpctl/show", "exit [--cleanup]", "list-commands", "'fabric ctl list-commands' asks the running node",
            "--socket", "--timeout",
        })
        {
            Assert.Contains(expected, run.Output);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("NaN")]
    public async Task Ctl_rejects_a_non_positive_timeout(string timeout)
    {
        Run run = await InvokeAsync("ctl", "--timeout", timeout, "show");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--timeout must be a positive number of seconds", run.Error);
    }

    [Fact]
    public async Task Ctl_requires_a_command()
    {
        Run run = await InvokeAsync("ctl");

        Assert.NotEqual(0, run.ExitCode);
        Assert.NotEmpty(run.Error);
    }
}
