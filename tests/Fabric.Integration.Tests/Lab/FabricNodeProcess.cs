using System.Diagnostics;

namespace Fabric.Integration.Tests.Lab;

/// <summary>
/// A real <c>fabric run</c> process (so tests can exit, SIGTERM and SIGKILL it and start it again), with
/// its stdout/stderr appended to a log file.
/// </summary>
public sealed class FabricNodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _log;

    private FabricNodeProcess(Process process, string log)
    {
        _process = process;
        _log = log;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts <c>fabric run --config CONFIG</c> (with <paramref name="keeper"/>: <c>--keeper</c>, and this process is the
    /// keeper, which runs the node as its child; inside network namespace <paramref name="netns"/> when given: <c>ip
    /// netns exec</c> execs the process, so the PID is its own) and waits until the node's control socket answers.
    /// </summary>
    public static async Task<FabricNodeProcess> StartAsync(string config, string socket, string log, bool keeper = false, string? netns = null)
    {
        var psi = new ProcessStartInfo(netns is null ? FabricProcess.Dotnet : "ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (netns is not null)
        {
            foreach (var a in new[] { "netns", "exec", netns, FabricProcess.Dotnet })
            {
                psi.ArgumentList.Add(a);
            }
        }

        psi.ArgumentList.Add(FabricProcess.Dll);
        psi.ArgumentList.Add("run");
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(config);
        if (keeper)
        {
            psi.ArgumentList.Add("--keeper");
        }

        var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start fabric");
        var node = new FabricNodeProcess(p, log);
        p.OutputDataReceived += (_, e) => node.Append(e.Data);
        p.ErrorDataReceived += (_, e) => node.Append(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var ready = await SwitchLab.WaitUntilAsync(
            async () => p.HasExited || (File.Exists(socket) && await Answers(socket)),
            TimeSpan.FromSeconds(60));
        if (!ready || p.HasExited)
        {
            await node.DisposeAsync();
            throw new InvalidOperationException($"fabric did not start:\n{File.ReadAllText(log)}");
        }

        return node;
    }

    private static async Task<bool> Answers(string socket)
    {
        try
        {
            return (await Fabric.Host.Control.ControlClient.SendAsync(socket, "list-commands", [], TimeSpan.FromSeconds(1))).IsOk;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                File.AppendAllText(_log, line + "\n");
            }
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the process to end; true if it did.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            _process.WaitForExit();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Sends SIGKILL: no chance to flush or snapshot.</summary>
    public void Kill() => Shell.Run("kill", "-KILL", Pid.ToString());

    /// <summary>Sends SIGTERM: a graceful stop, like <c>fabric ctl exit</c>.</summary>
    public void Terminate() => Shell.Run("kill", "-TERM", Pid.ToString());

    public int ExitCode => _process.ExitCode;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
