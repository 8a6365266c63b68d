using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Fabric.Integration.Tests.Lab;

/// <summary>
/// A steady ICMP stream (<c>count</c> pings, one every <c>interval</c>) from one lab host to an address, run in
/// the background; <see cref="CompleteAsync"/> waits for it to end on its own (so the last request gets its
/// reply too) and says how many requests went out, how many replies came back, which sequence numbers were
/// lost and the longest gap between replies (the outage).
/// </summary>
public sealed partial class PingStream : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<(long Seq, double Time)> _replies = new();
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _summary = "";

    private PingStream(Process p)
    {
        _process = p;
    }

    public sealed record Result(long Transmitted, long Received, IReadOnlyList<long> Lost, TimeSpan LongestGap)
    {
        public long LostCount => Transmitted - Received;
    }

    /// <summary>Starts the stream and waits for its first reply.</summary>
    public static async Task<PingStream> StartAsync(LabHost from, string toIp, TimeSpan interval, int count)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "netns", "exec", from.Namespace, "ping", "-D", "-n", "-c", count.ToString(CultureInfo.InvariantCulture), "-i", interval.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture), "-W", "2", toIp })
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start ping");
        var s = new PingStream(p);
        p.OutputDataReceived += (_, e) => s.OnLine(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        await s._first.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return s;
    }

    /// <summary>Replies received so far.</summary>
    public int Replies
    {
        get
        {
            lock (_replies)
            {
                return _replies.Count;
            }
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        var m = ReplyRegex().Match(line);
        if (m.Success)
        {
            lock (_replies)
            {
                _replies.Add((long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)));
            }

            _first.TrySetResult();
        }
        else if (line.Contains("packets transmitted", StringComparison.Ordinal))
        {
            _summary = line;
        }
    }

    /// <summary>Waits (up to <paramref name="timeout"/>) for ping to finish its count and returns the result.</summary>
    public async Task<Result> CompleteAsync(TimeSpan timeout)
    {
        using (var cts = new CancellationTokenSource(timeout))
        {
            await _process.WaitForExitAsync(cts.Token);
        }

        _process.WaitForExit();
        var sm = SummaryRegex().Match(_summary);
        var transmitted = sm.Success ? long.Parse(sm.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var received = sm.Success ? long.Parse(sm.Groups[2].Value, CultureInfo.InvariantCulture) : 0;
        lock (_replies)
        {
            var seen = _replies.Select(r => r.Seq).ToHashSet();
            var lost = new List<long>();
            for (long seq = 1; seq <= transmitted; seq++)
            {
                if (!seen.Contains(seq))
                {
                    lost.Add(seq);
                }
            }

            var ordered = _replies.OrderBy(r => r.Time).ToList();
            var gap = 0.0;
            for (var i = 1; i < ordered.Count; i++)
            {
                gap = Math.Max(gap, ordered[i].Time - ordered[i - 1].Time);
            }

            return new Result(transmitted, received, lost, TimeSpan.FromSeconds(gap));
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

    [GeneratedRegex(@"^\[([0-9.]+)\].*icmp_seq=(\d+)")]
    private static partial Regex ReplyRegex();

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) received")]
    private static partial Regex SummaryRegex();
}
