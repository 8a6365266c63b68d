using System.Text.Json;

namespace Fabric.Integration.Tests.Lab;

/// <summary>An iperf3 TCP run between two lab hosts, server started and probed first.</summary>
public static class Iperf3
{
    /// <summary>What the receiver counted, and the sender's retransmits.</summary>
    public sealed record Result(double BitsPerSecond, long Bytes, long Retransmits, string Json);

    /// <summary>
    /// Runs <c>iperf3 -c</c> from <paramref name="client"/> to a one-shot server on <paramref name="server"/> for
    /// <paramref name="seconds"/> seconds; asserts that both ended well and the JSON has the receiver's sum.
    /// </summary>
    public static async Task<Result> RunAsync(LabHost client, LabHost server, int seconds = 3)
    {
        Assert.True(Shell.Has("iperf3"), "iperf3 is not installed (lab/ensure-packages.sh installs it)");
        var serverTask = Task.Run(() => Shell.RunWithTimeout(TimeSpan.FromSeconds(30 + seconds), "ip", "netns", "exec", server.Namespace, "iperf3", "-s", "-1", "-B", server.Ip));
        Assert.True(
            await SwitchLab.WaitUntil(() => Shell.InNs(server.Namespace, "ss", "-ltnH", "sport", "= :5201").Stdout.Contains("5201", StringComparison.Ordinal), TimeSpan.FromSeconds(10)),
            "iperf3 server did not start listening");
        var run = Shell.InNs(client.Namespace, "iperf3", "-c", server.Ip, "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-J", "--connect-timeout", "3000");
        await serverTask;
        Assert.True(run.ExitCode == 0, run.All);

        using var doc = JsonDocument.Parse(run.Stdout);
        var end = doc.RootElement.GetProperty("end");
        Assert.True(end.TryGetProperty("sum_received", out var received), run.Stdout);
        long retransmits = end.TryGetProperty("sum_sent", out var sent) && sent.TryGetProperty("retransmits", out var r) ? r.GetInt64() : 0;
        return new Result(received.GetProperty("bits_per_second").GetDouble(), received.GetProperty("bytes").GetInt64(), retransmits, run.Stdout);
    }

    /// <summary>TcpInCsumErrors of the host's namespace (nstat): TCP segments its kernel dropped for a bad checksum.</summary>
    public static long TcpChecksumErrors(LabHost host)
    {
        var r = Shell.InNs(host.Namespace, "nstat", "-az", "TcpInCsumErrors");
        var line = r.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("TcpInCsumErrors", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
