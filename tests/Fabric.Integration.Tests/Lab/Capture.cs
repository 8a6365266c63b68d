using System.Diagnostics;
using System.Text;

namespace Fabric.Integration.Tests.Lab;

/// <summary>
/// tcpdump on a lab host's eth0, started and confirmed listening before the test sends anything;
/// <see cref="StopAsync"/> returns the decoded packet lines. Immediate mode matters: otherwise libpcap
/// holds packets in its ring until a block times out, and a packet just before SIGINT is never printed.
/// </summary>
public sealed class Capture : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _lines = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Capture(Process process)
    {
        _process = process;
    }

    /// <summary>Starts capturing packets matching <paramref name="filter"/> on <paramref name="host"/>'s eth0.</summary>
    public static Task<Capture> StartAsync(LabHost host, string filter) => StartAsync(host.Namespace, "eth0", filter);

    /// <summary>
    /// Starts capturing packets matching <paramref name="filter"/> on <paramref name="device"/> in namespace
    /// <paramref name="ns"/>; <paramref name="options"/> are more tcpdump options (e.g. <c>-v</c>, <c>-Q in</c>).
    /// </summary>
    public static async Task<Capture> StartAsync(string ns, string device, string filter, params string[] options)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "netns", "exec", ns, "tcpdump", "--immediate-mode", "-i", device, "-n", "-l", "-e" }.Concat(options).Append(filter))
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start tcpdump");
        var c = new Capture(p);
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (c._lines)
                {
                    c._lines.AppendLine(e.Data);
                }
            }
        };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null && e.Data.Contains("listening on", StringComparison.Ordinal))
            {
                c._listening.TrySetResult();
            }
        };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        await c._listening.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return c;
    }

    /// <summary>What tcpdump has printed so far (one line per packet).</summary>
    public string TextSoFar
    {
        get
        {
            lock (_lines)
            {
                return _lines.ToString();
            }
        }
    }

    /// <summary>Stops tcpdump (SIGINT, so it flushes) and returns the captured lines.</summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        if (!_process.HasExited)
        {
            Shell.Run("kill", "-INT", _process.Id.ToString());
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token);
        }

        // The parameterless WaitForExit also waits until the redirected output has been read to its end,
        // so the last packet lines tcpdump flushed on SIGINT are in.
        _process.WaitForExit();

        lock (_lines)
        {
            return _lines.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
    }

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
