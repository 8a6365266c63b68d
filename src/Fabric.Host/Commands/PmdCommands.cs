using System.Globalization;
using System.Text;
using Fabric.Datapath.Forwarding;
using Fabric.Datapath.Ports;
using Fabric.Host.Control;
using Fabric.Host.Node;
using DatapathEngine = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Host.Commands;

/// <summary>
/// The poll-thread verbs, named and laid out as OVS's userspace datapath prints its PMD threads:
/// <c>dpif-netdev/pmd-stats-show</c> (each poll thread's lookups: packets received, EMC and megaflow hits, subtable
/// lookups per megaflow hit, misses with a successful and a failed upcall) and <c>dpif-netdev/pmd-rxq-show</c> (the
/// ports each poll thread receives on). A poll thread is not pinned to a core, so each is named by its thread name
/// (<c>pmd thread fabric-poll-N:</c>) where OVS prints its NUMA node and core; OVS lines for what Fabric does not
/// have (recirculation, SMC, cycle counts) are left out, and a port's usage prints as OVS prints it before cycles are
/// measured (<c>NOT AVAIL</c>).
/// </summary>
public static class PmdCommands
{
    /// <summary>Registers the poll-thread verbs of <paramref name="node"/> in <paramref name="registry"/>.</summary>
    public static void Register(ControlCommandRegistry registry, FabricNode node)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(node);
        registry.Register("dpif-netdev/pmd-stats-show", "", "lookups of each poll thread: packets received, EMC and megaflow hits, misses", (_, _) => Task.FromResult(ControlReply.Ok(FormatStats(node.Datapath))), 0, 0);
        registry.Register("dpif-netdev/pmd-rxq-show", "", "the ports each poll thread receives on", (_, _) => Task.FromResult(ControlReply.Ok(FormatRxq(node.Datapath))), 0, 0);
    }

    /// <summary>Every poll thread's counters in the layout of <c>ovs-appctl dpif-netdev/pmd-stats-show</c>, one block per thread.</summary>
    public static string FormatStats(DatapathEngine datapath)
    {
        ArgumentNullException.ThrowIfNull(datapath);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        for (int i = 0; i < datapath.Stats.PollThreads; i++)
        {
            PollThreadStats s = datapath.Stats.ForPollThread(i);
            long megaflowHits = s.MegaflowHits;
            sb.Append(inv, $"pmd thread fabric-poll-{i}:\n");
            sb.Append(inv, $"  packets received: {s.Received}\n");
            sb.Append(inv, $"  emc hits: {s.EmcHits}\n");
            sb.Append(inv, $"  megaflow hits: {megaflowHits}\n");
            sb.Append(inv, $"  avg. subtable lookups per megaflow hit: {(megaflowHits == 0 ? 0.0 : (double)s.MaskHits / megaflowHits):0.00}\n");
            sb.Append(inv, $"  miss with success upcall: {s.Missed - s.Lost}\n");
            sb.Append(inv, $"  miss with failed upcall: {s.Lost}\n");
        }

        return sb.ToString();
    }

    /// <summary>
    /// The ports each poll thread receives on in the layout of <c>ovs-appctl dpif-netdev/pmd-rxq-show</c>, ascending by
    /// port number; one queue (0) per port. Ports that are never polled themselves (VXLAN tunnels, received through their
    /// endpoint) are not listed.
    /// </summary>
    public static string FormatRxq(DatapathEngine datapath)
    {
        ArgumentNullException.ThrowIfNull(datapath);
        var sb = new StringBuilder();
        for (int i = 0; i < datapath.Options.PollThreads; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"pmd thread fabric-poll-{i}:\n");
            sb.Append("  isolated : false\n");
            foreach (ushort no in datapath.PortsOfPollThread(i))
            {
                if (datapath.GetPort(no) is { ReceiveMode: not PortReceiveMode.None } port)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"  port: {port.Name,-16}  queue-id:  0 (enabled)   pmd usage: NOT AVAIL\n");
                }
            }
        }

        return sb.ToString();
    }
}
