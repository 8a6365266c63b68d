using System.Diagnostics;
using System.Text;
using Fabric.Integration.Tests.Lab;

namespace Fabric.Integration.Tests.Ovs;

/// <summary>
/// One Open vSwitch daemon (ovsdb-server or ovs-vswitchd) run in the foreground as a child of the test host,
/// never with <c>--detach</c>: its PID is known at once, the test host reaps it (a detached daemon is re-parented
/// to PID 1, which in a container may leave it a zombie that <c>pgrep</c> still lists), and
/// <see cref="StopAsync"/> can wait for the real exit. Its stdout/stderr are kept (bounded) for error messages.
/// </summary>
public sealed class OvsDaemon : IAsyncDisposable
{
    private const int MaxOutput = 64 * 1024;
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private OvsDaemon(string name, Process process)
    {
        Name = name;
        _process = process;
        AppDomain.CurrentDomain.ProcessExit += OnTestHostExit;
    }

    /// <summary>The program's name (for messages).</summary>
    public string Name { get; }

    /// <summary>The daemon's PID (with <c>ip netns exec</c>, ip execs the daemon, so this is the daemon itself).</summary>
    public int Pid => _process.Id;

    /// <summary>True once the daemon has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>What the daemon wrote to stdout/stderr so far (the first 64 KiB).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Once the daemon has exited, waits until its output has been read to the end (so <see cref="Output"/> is complete).</summary>
    public void DrainOutputAfterExit()
    {
        if (_process.HasExited)
        {
            _process.WaitForExit();
        }
    }

    /// <summary>
    /// Starts <paramref name="program"/> with <paramref name="args"/> and <paramref name="environment"/>, inside network
    /// namespace <paramref name="netns"/> when given.
    /// </summary>
    public static OvsDaemon Start(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string? netns)
    {
        var psi = new ProcessStartInfo(netns is null ? program : "ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (netns is not null)
        {
            foreach (var a in new[] { "netns", "exec", netns, program })
            {
                psi.ArgumentList.Add(a);
            }
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {program}");
        var d = new OvsDaemon(program, p);
        p.OutputDataReceived += (_, e) => d.Append(e.Data);
        p.ErrorDataReceived += (_, e) => d.Append(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return d;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < MaxOutput)
            {
                _output.AppendLine(line);
            }
        }
    }

    /// <summary>
    /// SIGTERM (the daemon removes its pidfile and sockets and, for ovs-vswitchd, its datapath devices), then SIGKILL
    /// if it has not exited within <paramref name="grace"/>; returns once the process is gone.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            Shell.Run("kill", "-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var cts = new CancellationTokenSource(grace);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        // Also waits for the redirected output to be read to its end.
        _process.WaitForExit();
    }

    /// <summary>Last resort when the test host exits without disposing: never leave a daemon behind.</summary>
    private void OnTestHostExit(object? sender, EventArgs e)
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Stops the daemon (SIGTERM, SIGKILL after 10 s) and releases the process handle.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        AppDomain.CurrentDomain.ProcessExit -= OnTestHostExit;
        _process.Dispose();
    }
}
