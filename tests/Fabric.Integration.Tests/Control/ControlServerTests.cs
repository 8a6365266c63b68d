using System.Text;
using Fabric.Host.Control;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Fabric.Integration.Tests.Control;

public sealed class ControlServerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static ControlCommandRegistry RegistryWithEcho()
    {
        var registry = new ControlCommandRegistry();
        registry.Register("echo", "[WORD...]", "Echoes its arguments.",
            static (args, _) => Task.FromResult(ControlReply.Ok(string.Join(' ', args) + "\n")));
        return registry;
    }

    private static async Task<ControlServer> StartAsync(string path, ControlCommandRegistry registry)
    {
        var server = new ControlServer(path, registry, NullLogger.Instance);
        await server.StartAsync(CancellationToken.None);
        return server;
    }

    [Fact]
    public async Task Request_and_reply_round_trip_over_the_socket()
    {
        using var dir = new ControlSocketDirectory();
        await using ControlServer server = await StartAsync(dir.SocketPath, RegistryWithEcho());

        ControlReply reply = await ControlClient.SendAsync(dir.SocketPath, "echo", ["br0", "-m", "ünï"], Timeout);

        Assert.Equal(new ControlReply(0, "br0 -m ünï\n"), reply);
    }

    [Fact]
    public async Task Wire_format_is_one_json_line_each_way()
    {
        using var dir = new ControlSocketDirectory();
        await using ControlServer server = await StartAsync(dir.SocketPath, RegistryWithEcho());
        await using RawControlConnection raw = await RawControlConnection.ConnectAsync(dir.SocketPath);

        await raw.SendLineAsync("{\"command\":\"echo\",\"args\":[\"a\",\"b\"]}");

        Assert.Equal("{\"status\":0,\"output\":\"a b\\n\"}", await raw.ReadLineAsync());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Socket_file_is_mode_0600_and_parent_directory_is_created()
    {
        using var dir = new ControlSocketDirectory();
        string path = Path.Combine(dir.DirectoryPath, "run", "fabric", "fabric.ctl");
        await using ControlServer server = await StartAsync(path, RegistryWithEcho());

        Assert.True(File.Exists(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task Unknown_command_gets_the_not_a_valid_command_error()
    {
        using var dir = new ControlSocketDirectory();
        await using ControlServer server = await StartAsync(dir.SocketPath, RegistryWithEcho());

        ControlReply reply = await ControlClient.SendAsync(dir.SocketPath, "xyz", [], Timeout);

        Assert.Equal(ControlReply.StatusError, reply.Status);
        Assert.Equal("'xyz' is not a valid command (use 'fabric ctl list-commands' to see them)", reply.Output);
    }

    [Fact]
    public async Task Wrong_argument_count_names_the_command_syntax()
    {
        using var dir = new ControlSocketDirectory();
        var registry = new ControlCommandRegistry();
        registry.Register("fdb/add", "BRIDGE PORT VLAN MAC", "Adds a static entry.",
            static (_, _) => Task.FromResult(ControlReply.Ok("ok")), minArgs: 4, maxArgs: 4);
        registry.Register("fdb/flush", "[BRIDGE]", "Flushes.",
            static (_, _) => Task.FromResult(ControlReply.Ok("table successfully flushed")), minArgs: 0, maxArgs: 1);
        await using ControlServer server = await StartAsync(dir.SocketPath, registry);

        ControlReply tooFew = await ControlClient.SendAsync(dir.SocketPath, "fdb/add", ["br0"], Timeout);
        ControlReply tooMany = await ControlClient.SendAsync(dir.SocketPath, "fdb/flush", ["br0", "br1"], Timeout);
        ControlReply right = await ControlClient.SendAsync(dir.SocketPath, "fdb/flush", ["br0"], Timeout);

        Assert.Equal(ControlReply.Error("'fdb/add' command requires at least 4 arguments (usage: fdb/add BRIDGE PORT VLAN MAC)"), tooFew);
        Assert.Equal(ControlReply.Error("'fdb/flush' command takes at most 1 argument (usage: fdb/flush [BRIDGE])"), tooMany);
        Assert.Equal(ControlReply.Ok("table successfully flushed"), right);
    }

    [Fact]
    public async Task Throwing_handler_gives_an_error_and_the_server_keeps_serving()
    {
        using var dir = new ControlSocketDirectory();
        ControlCommandRegistry registry = RegistryWithEcho();
        registry.Register("boom", string.Empty, "Always fails.",
            static (_, _) => throw new InvalidOperationException("no bridge named br9\nsecond line"));
        registry.Register("boom-async", string.Empty, "Fails after an await.", static async (_, ct) =>
        {
            await Task.Yield();
            throw new IOException("disk on fire");
        });
        await using ControlServer server = await StartAsync(dir.SocketPath, registry);
        await using RawControlConnection raw = await RawControlConnection.ConnectAsync(dir.SocketPath);

        await raw.SendLineAsync("{\"command\":\"boom\",\"args\":[]}");
        string? first = await raw.ReadLineAsync();
        await raw.SendLineAsync("{\"command\":\"echo\",\"args\":[\"still\",\"here\"]}");
        string? second = await raw.ReadLineAsync();
        ControlReply viaClient = await ControlClient.SendAsync(dir.SocketPath, "boom-async", [], Timeout);
        ControlReply next = await ControlClient.SendAsync(dir.SocketPath, "echo", ["ok"], Timeout);

        Assert.Equal("{\"status\":2,\"output\":\"no bridge named br9 second line\"}", first);
        Assert.Equal("{\"status\":0,\"output\":\"still here\\n\"}", second);
        Assert.Equal(ControlReply.Error("disk on fire"), viaClient);
        Assert.Equal(ControlReply.Ok("ok\n"), next);
    }

    [Fact]
    public async Task Malformed_json_gets_an_error_and_the_connection_stays_usable()
    {
        using var dir = new ControlSocketDirectory();
        await using ControlServer server = await StartAsync(dir.SocketPath, RegistryWithEcho());
        await using RawControlConnection raw = await RawControlConnection.ConnectAsync(dir.SocketPath);

        await raw.SendLineAsync("{\"command\":\"echo\",\"args\":[1]}");
        string? bad = await raw.ReadLineAsync();
        await raw.SendLineAsync("not json");
        string? worse = await raw.ReadLineAsync();
        await raw.SendLineAsync("{\"command\":\"echo\",\"args\":[\"x\"]}");
        string? good = await raw.ReadLineAsync();

        Assert.StartsWith("{\"status\":2,\"output\":\"malformed request:", bad);
        Assert.StartsWith("{\"status\":2,\"output\":\"malformed request:", worse);
        Assert.Equal("{\"status\":0,\"output\":\"x\\n\"}", good);
    }

    [Fact]
    public async Task Request_at_the_limit_is_served_and_one_byte_more_is_rejected_and_closed()
    {
        using var dir = new ControlSocketDirectory();
        var registry = new ControlCommandRegistry();
        registry.Register("len", "TEXT", "Prints the length of TEXT.",
            static (args, _) => Task.FromResult(ControlReply.Ok(args[0].Length.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            minArgs: 1, maxArgs: 1);
        await using ControlServer server = await StartAsync(dir.SocketPath, registry);

        string prefix = "{\"command\":\"len\",\"args\":[\"";
        string suffix = "\"]}";
        int fill = ControlProtocol.MaxRequestBytes - prefix.Length - suffix.Length;
        string atLimit = prefix + new string('a', fill) + suffix;
        Assert.Equal(ControlProtocol.MaxRequestBytes, Encoding.UTF8.GetByteCount(atLimit));

        await using (RawControlConnection raw = await RawControlConnection.ConnectAsync(dir.SocketPath))
        {
            await raw.SendLineAsync(atLimit);
            Assert.Equal($"{{\"status\":0,\"output\":\"{fill}\"}}", await raw.ReadLineAsync());
        }

        await using (RawControlConnection raw = await RawControlConnection.ConnectAsync(dir.SocketPath))
        {
            await raw.SendLineAsync(prefix + new string('a', fill + 1) + suffix);
            Assert.Equal(
                "{\"status\":2,\"output\":\"request too long: the limit is 65536 bytes per request line\"}",
                await raw.ReadLineAsync());
            Assert.Null(await raw.ReadLineAsync());
        }

        // A request that never ends is cut off as soon as it passes the limit, without waiting for '\n'.
        await using (RawControlConnection raw = await RawControlConnection.ConnectAsync(dir.SocketPath))
        {
            await raw.SendBytesAsync(Encoding.UTF8.GetBytes(new string(' ', ControlProtocol.MaxRequestBytes + 100)));
            Assert.StartsWith("{\"status\":2,\"output\":\"request too long", await raw.ReadLineAsync());
            Assert.Null(await raw.ReadLineAsync());
        }

        ControlReply after = await ControlClient.SendAsync(dir.SocketPath, "len", ["abc"], Timeout);
        Assert.Equal(ControlReply.Ok("3"), after);
    }

    [Fact]
    public async Task Client_refuses_to_send_an_oversized_request()
    {
        using var dir = new ControlSocketDirectory();
        await using ControlServer server = await StartAsync(dir.SocketPath, RegistryWithEcho());

        ControlReply reply = await ControlClient.SendAsync(
            dir.SocketPath, "echo", [new string('x', ControlProtocol.MaxRequestBytes)], Timeout);

        Assert.Equal(ControlReply.StatusError, reply.Status);
        Assert.Contains("the limit is 65536 bytes", reply.Output);
    }

    [Fact]
    public async Task Clients_are_served_concurrently()
    {
        const int clients = 16;
        using var dir = new ControlSocketDirectory();
        var allArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int arrived = 0;
        var registry = new ControlCommandRegistry();
        registry.Register("rendezvous", "ID", "Waits until every client has arrived.", async (args, ct) =>
        {
            if (Interlocked.Increment(ref arrived) == clients)
            {
                allArrived.SetResult();
            }

            // Completes only if all clients are inside a handler at the same time.
            await allArrived.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
            return ControlReply.Ok(args[0]);
        }, minArgs: 1, maxArgs: 1);
        await using ControlServer server = await StartAsync(dir.SocketPath, registry);

        Task<ControlReply>[] calls = Enumerable.Range(0, clients)
            .Select(i => ControlClient.SendAsync(dir.SocketPath, "rendezvous", [i.ToString(System.Globalization.CultureInfo.InvariantCulture)], Timeout))
            .ToArray();
        ControlReply[] replies = await Task.WhenAll(calls);

        Assert.Equal(
            Enumerable.Range(0, clients).Select(i => ControlReply.Ok(i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            replies);
    }

    [Fact]
    public async Task Stale_socket_file_is_replaced()
    {
        using var dir = new ControlSocketDirectory();
        StaleSocketFile.Create(dir.SocketPath);
        Assert.True(File.Exists(dir.SocketPath));
        await using ControlServer server = await StartAsync(dir.SocketPath, RegistryWithEcho());

        ControlReply reply = await ControlClient.SendAsync(dir.SocketPath, "echo", ["fresh"], Timeout);

        Assert.Equal(ControlReply.Ok("fresh\n"), reply);
    }

    [Fact]
    public async Task Socket_with_a_live_listener_is_not_stolen()
    {
        using var dir = new ControlSocketDirectory();
        await using ControlServer first = await StartAsync(dir.SocketPath, RegistryWithEcho());
        var second = new ControlServer(dir.SocketPath, RegistryWithEcho(), NullLogger.Instance);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => second.StartAsync(CancellationToken.None));
        await second.DisposeAsync();

        Assert.Contains("already listening", ex.Message);
        Assert.True(File.Exists(dir.SocketPath), "the failed server must leave the live server's socket alone");
        Assert.Equal(ControlReply.Ok("first\n"), await ControlClient.SendAsync(dir.SocketPath, "echo", ["first"], Timeout));
    }

    [Fact]
    public async Task DisposeAsync_removes_the_socket_file_and_stops_answering()
    {
        using var dir = new ControlSocketDirectory();
        ControlServer server = await StartAsync(dir.SocketPath, RegistryWithEcho());
        await using RawControlConnection idle = await RawControlConnection.ConnectAsync(dir.SocketPath);
        await idle.SendLineAsync("{\"command\":\"echo\",\"args\":[]}");
        Assert.Equal("{\"status\":0,\"output\":\"\\n\"}", await idle.ReadLineAsync());

        await server.DisposeAsync();
        await server.DisposeAsync();

        Assert.False(File.Exists(dir.SocketPath));
        Assert.Null(await idle.ReadLineAsync());
        ControlReply reply = await ControlClient.SendAsync(dir.SocketPath, "echo", [], Timeout);
        Assert.Equal(ControlReply.StatusError, reply.Status);
    }

    [Fact]
    public async Task DisposeAsync_lets_a_running_request_deliver_its_reply()
    {
        using var dir = new ControlSocketDirectory();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registry = new ControlCommandRegistry();
        registry.Register("exit", "[--cleanup]", "Stops.", async (_, _) =>
        {
            started.SetResult();
            await gate.Task;
            return ControlReply.Ok(string.Empty);
        }, maxArgs: 1);
        ControlServer server = await StartAsync(dir.SocketPath, registry);

        Task<ControlReply> call = ControlClient.SendAsync(dir.SocketPath, "exit", ["--cleanup"], Timeout);
        await started.Task.WaitAsync(Timeout);
        Task disposing = server.DisposeAsync().AsTask();
        Assert.False(disposing.IsCompleted);
        gate.SetResult();

        Assert.Equal(ControlReply.Ok(string.Empty), await call.WaitAsync(Timeout));
        await disposing.WaitAsync(Timeout);
        Assert.False(File.Exists(dir.SocketPath));
    }

    [Fact]
    public async Task Start_twice_is_refused()
    {
        using var dir = new ControlSocketDirectory();
        await using ControlServer server = await StartAsync(dir.SocketPath, RegistryWithEcho());

        await Assert.ThrowsAsync<InvalidOperationException>(() => server.StartAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Client_reports_a_missing_socket_in_one_line()
    {
        using var dir = new ControlSocketDirectory();

        ControlReply reply = await ControlClient.SendAsync(dir.SocketPath, "show", [], Timeout);

        Assert.Equal(
            ControlReply.Error($"cannot connect to fabric at {dir.SocketPath}: No such file or directory — is `fabric run` running?"),
            reply);
    }

    [Fact]
    public async Task Client_reports_a_socket_nobody_listens_on()
    {
        using var dir = new ControlSocketDirectory();
        StaleSocketFile.Create(dir.SocketPath);

        ControlReply reply = await ControlClient.SendAsync(dir.SocketPath, "show", [], Timeout);

        Assert.Equal(
            ControlReply.Error($"cannot connect to fabric at {dir.SocketPath}: Connection refused — is `fabric run` running?"),
            reply);
    }

    [Fact]
    public async Task Client_times_out_when_the_node_does_not_answer()
    {
        using var dir = new ControlSocketDirectory();
        var registry = new ControlCommandRegistry();
        registry.Register("hang", string.Empty, "Never answers.", static async (_, ct) =>
        {
            await Task.Delay(System.Threading.Timeout.Infinite, ct);
            return ControlReply.Ok("late");
        });
        await using ControlServer server = await StartAsync(dir.SocketPath, registry);

        ControlReply reply = await ControlClient.SendAsync(dir.SocketPath, "hang", [], TimeSpan.FromMilliseconds(200));

        Assert.Equal(ControlReply.Error($"no reply from fabric at {dir.SocketPath} within 0.2 s"), reply);
    }
}
