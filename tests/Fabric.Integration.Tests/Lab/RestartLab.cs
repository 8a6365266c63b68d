using System.Text.RegularExpressions;

namespace Fabric.Integration.Tests.Lab;

/// <summary>The restart tests' lab: h1 on a veth (AF_PACKET port) and h2 on a TAP device, with a real <c>fabric run</c> process.</summary>
public static partial class RestartLab
{
    /// <summary>
    /// Starts the lab (with <paramref name="keeper"/>: under <c>fabric run --keeper</c>), with static neighbour entries so
    /// that no ARP crosses the fabric during a measurement, and waits for a ping to get through.
    /// </summary>
    public static async Task<SwitchLab> StartAsync(bool keeper = false)
    {
        // h1 on a veth (AF_PACKET port), h2 on a TAP device the node created: the TAP must survive every restart.
        var lab = await SwitchLab.StartAsync([(false, null), (true, null)], asProcess: true, keeper: keeper);
        try
        {
            var (h1, h2) = (lab.Hosts[0], lab.Hosts[1]);
            Shell.Must("ip", "-n", h1.Namespace, "neigh", "replace", h2.Ip, "lladdr", h2.Mac, "dev", "eth0", "nud", "permanent");
            Shell.Must("ip", "-n", h2.Namespace, "neigh", "replace", h1.Ip, "lladdr", h1.Mac, "dev", "eth0", "nud", "permanent");
            Assert.True(await SwitchLab.WaitUntil(() => SwitchLab.Ping(h1, h2.Ip, count: 1) == 0, TimeSpan.FromSeconds(20)), "no ping got through a fresh node");
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>The match part of each <c>dpctl/dump-flows</c> line (statistics cut off), sorted.</summary>
    public static IReadOnlyList<string> Matches(string dump) =>
        dump.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[..l.IndexOf(", packets:", StringComparison.Ordinal)]).Order().ToList();

    /// <summary>The upcall count of every flow-table shard in <c>upcall/show</c>.</summary>
    public static IReadOnlyList<long> ShardUpcalls(string upcallShow) =>
        UpcallsRegex().Matches(upcallShow).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    [GeneratedRegex(@"upcalls (\d+)")]
    private static partial Regex UpcallsRegex();
}
