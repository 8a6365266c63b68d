using System.Globalization;
using System.Text.RegularExpressions;

namespace Fabric.Integration.Tests.Lab;

/// <summary>The datapath's hit counter as <c>dpctl/show</c> prints it (<c>lookups: hit:N</c>): a probe that traffic has reached a node.</summary>
public static partial class DatapathHits
{
    /// <summary>The hit count in a <c>dpctl/show</c> reply, 0 when absent.</summary>
    public static long Parse(string dpctlShow)
    {
        var m = HitRegex().Match(dpctlShow);
        return m.Success ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Waits until the hit count read by <paramref name="read"/> has grown by <paramref name="frames"/> (up to <paramref name="timeout"/>).</summary>
    public static async Task<bool> WaitForAsync(Func<Task<string>> read, long frames, TimeSpan timeout)
    {
        var start = Parse(await read());
        return await SwitchLab.WaitUntilAsync(async () => Parse(await read()) >= start + frames, timeout);
    }

    [GeneratedRegex(@"lookups: hit:(\d+)")]
    private static partial Regex HitRegex();
}
