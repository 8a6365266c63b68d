using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Fabric.Integration.Tests.Lab;

/// <summary>
/// A 1 ms UDP stream with sequence numbers between two lab hosts (bench/Fabric.UdpStream, built with the solution):
/// unlike ping it never slows down when replies stop, so what it reports — datagrams received and lost, the longest
/// gap between arrivals — is the forwarding outage itself.
/// </summary>
public sealed partial class UdpStream : IAsyncDisposable
{
    private readonly Process _receiver;
    private readonly Process _sender;

    private UdpStream(Process receiver, Process sender)
    {
        _receiver = receiver;
        _sender = sender;
    }

    /// <summary>The result line of the receiver.</summary>
    public sealed record Result(long Received, long Lost, double LongestGapMs, string Line);

    /// <summary>
    /// Starts a receiver on <paramref name="to"/> and a sender on <paramref name="from"/>: <paramref name="count"/>
    /// datagrams, one per ms; the receiver listens <paramref name="listenSeconds"/> (default: the stream's length + 4 s).
    /// </summary>
    public static async Task<UdpStream> StartAsync(LabHost from, LabHost to, int count, int port = 5000, double? listenSeconds = null)
    {
        var seconds = listenSeconds ?? (count / 1000.0) + 4;
        var receiver = Start(to.Namespace, "receive", port.ToString(CultureInfo.InvariantCulture), seconds.ToString(CultureInfo.InvariantCulture));
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // the receiver binds before the first datagram (no readiness signal from it)
        var sender = Start(from.Namespace, "send", to.Ip, port.ToString(CultureInfo.InvariantCulture), "1000", count.ToString(CultureInfo.InvariantCulture));
        return new UdpStream(receiver, sender);
    }

    /// <summary>Waits for both ends and returns what the receiver saw.</summary>
    public async Task<Result> CompleteAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _sender.WaitForExitAsync(cts.Token);
        await _receiver.WaitForExitAsync(cts.Token);
        var line = (await _receiver.StandardOutput.ReadToEndAsync(cts.Token)).Trim();
        var m = ResultRegex().Match(line);
        if (!m.Success)
        {
            throw new InvalidOperationException($"udpstream receiver said: {line} {await _receiver.StandardError.ReadToEndAsync(cts.Token)}");
        }

        return new Result(long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), line);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var p in new[] { _sender, _receiver })
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync();
            }

            p.Dispose();
        }
    }

    private static Process Start(string ns, params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "netns", "exec", ns, FabricProcess.Dotnet, Dll })
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi) ?? throw new InvalidOperationException("cannot start udpstream");
    }

    /// <summary>bench/Fabric.UdpStream's build output, found from the repository root.</summary>
    private static string Dll
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "bench", "Fabric.UdpStream", "bin", "Release", "net10.0", "Fabric.UdpStream.dll");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new FileNotFoundException("bench/Fabric.UdpStream is not built (dotnet build Fabric.sln -c Release)");
        }
    }

    [GeneratedRegex(@"received (\d+), lost (\d+), longest gap ([0-9.]+) ms")]
    private static partial Regex ResultRegex();
}
