using System.Globalization;
using System.Text.RegularExpressions;

namespace Fabric.Integration.Tests.Lab;

/// <summary>
/// The first lines of <c>persistence/show</c>: how the node started (<c>started</c>), what its switch-over found
/// (<c>switch-over</c>: time without a reader, frames waiting, AF_PACKET drops) and the process (<c>process</c>: pid,
/// keeper).
/// </summary>
public static partial class StartLines
{
    /// <summary>The parsed <c>switch-over</c> line of a node that took its ports over.</summary>
    public sealed record SwitchOver(long NoReaderMs, long Waiting, long AfPacket, long Tap, long Arrived, long Dropped, bool Complete);

    /// <summary>The text after <c>started        : </c>.</summary>
    public static string Started(string persistence) => Line(persistence, "started");

    /// <summary>The node's pid from the <c>process</c> line.</summary>
    public static int Pid(string persistence) => int.Parse(PidRegex().Match(Line(persistence, "process")).Groups[1].Value, CultureInfo.InvariantCulture);

    /// <summary>The <c>switch-over</c> line parsed, or null when the node opened its ports itself.</summary>
    public static SwitchOver? Switch(string persistence)
    {
        var m = SwitchRegex().Match(Line(persistence, "switch-over"));
        long N(string g) => long.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
        return m.Success ? new SwitchOver(N("ms"), N("waiting"), N("afpacket"), N("tap"), N("arrived"), N("dropped"), !m.Groups["reading"].Success) : null;
    }

    /// <summary>The pid of the node serving the lab's control socket now, from its <c>persistence/show</c>.</summary>
    public static async Task<int> NodePidAsync(SwitchLab lab) => Pid((await lab.Ctl("persistence/show")).Output);

    /// <summary>
    /// Waits until a node other than <paramref name="old"/> answers on the lab's socket and, if it took its ports over, has
    /// counted the frames that waited for it; returns its <c>persistence/show</c>.
    /// </summary>
    public static async Task<string> WaitForNodeOtherThanAsync(SwitchLab lab, int old, TimeSpan timeout)
    {
        string text = "";
        var ok = await SwitchLab.WaitUntilAsync(
            async () =>
            {
                try
                {
                    var reply = await lab.Ctl("persistence/show");
                    text = reply.Output;
                    return reply.IsOk && Pid(text) != old && Switch(text) is not { Complete: false };
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException or OperationCanceledException)
                {
                    return false;
                }
            },
            timeout);
        Assert.True(ok, $"no node other than pid {old} answered within {timeout.TotalSeconds} s:\n{string.Join("\n", File.ReadLines(lab.LogPath).TakeLast(30))}");
        return text;
    }

    private static string Line(string persistence, string key)
    {
        var prefix = key.PadRight(15) + ": ";
        return persistence.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..]
            ?? throw new Xunit.Sdk.XunitException($"no '{key}' line in:\n{persistence}");
    }

    [GeneratedRegex(@"^pid (\d+),")]
    private static partial Regex PidRegex();

    [GeneratedRegex(@"^no reader for (?<ms>\d+) ms .*; (?<waiting>\d+)\+? frames waiting then \(AF_PACKET (?<afpacket>\d+), TAP (?<tap>\d+)(?<reading>; still reading them)?\); AF_PACKET sockets: (?<arrived>\d+) arrived meanwhile, (?<dropped>\d+) dropped$")]
    private static partial Regex SwitchRegex();
}
