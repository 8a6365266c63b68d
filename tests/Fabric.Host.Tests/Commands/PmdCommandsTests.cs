using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Forwarding;
using Fabric.Datapath.Ports;
using Fabric.Host.Commands;
using Xunit;

namespace Fabric.Host.Tests.Commands;

/// <summary><c>dpif-netdev/pmd-stats-show</c> and <c>dpif-netdev/pmd-rxq-show</c> in OVS's layout, one block per poll thread.</summary>
public sealed class PmdCommandsTests : IDisposable
{
    private readonly Datapath.Forwarding.Datapath _dp = new(new DatapathOptions { PollThreads = 2, EmcInsertInvProb = 1, UpcallQueueCapacity = 1 }, TimeProvider.System);
    private readonly MemoryPort _a = new("eth-a");
    private readonly MemoryPort _b = new("eth-b");
    private readonly MemoryPort _c = new("eth-c");

    public PmdCommandsTests()
    {
        _dp.AddPort(_a);
        _dp.AddPort(_b);
        _dp.AddPort(_c);
    }

    public void Dispose()
    {
        _dp.Dispose();
        _a.Dispose();
        _b.Dispose();
        _c.Dispose();
    }

    [Fact]
    public void Pmd_stats_show_prints_each_poll_threads_lookups()
    {
        // Thread 0 (ports 1 and 3): 3 hits on port 1 (1 megaflow, then 2 EMC); thread 1 (port 2): 2 misses, one upcall lost.
        var wc = default(FlowWildcards);
        wc.UnwildcardInPort();
        _dp.Flows.Install(FlowKey.Create(1, 0, 0, 0x0800), wc.ToMask(), DatapathActions.OutputTo(3));
        for (int i = 0; i < 3; i++)
        {
            _a.Inject(Frame(0x0800));
        }

        _b.Inject(Frame(0x0800));
        _b.Inject(Frame(0x0806));

        _dp.RunOnce();

        Assert.Equal(
            """
            pmd thread fabric-poll-0:
              packets received: 3
              emc hits: 2
              megaflow hits: 1
              avg. subtable lookups per megaflow hit: 1.00
              miss with success upcall: 0
              miss with failed upcall: 0
            pmd thread fabric-poll-1:
              packets received: 2
              emc hits: 0
              megaflow hits: 0
              avg. subtable lookups per megaflow hit: 0.00
              miss with success upcall: 1
              miss with failed upcall: 1

            """.ReplaceLineEndings("\n"),
            PmdCommands.FormatStats(_dp));
    }

    [Fact]
    public void Pmd_rxq_show_lists_the_ports_of_each_poll_thread()
    {
        Assert.Equal(
            """
            pmd thread fabric-poll-0:
              isolated : false
              port: eth-a             queue-id:  0 (enabled)   pmd usage: NOT AVAIL
              port: eth-c             queue-id:  0 (enabled)   pmd usage: NOT AVAIL
            pmd thread fabric-poll-1:
              isolated : false
              port: eth-b             queue-id:  0 (enabled)   pmd usage: NOT AVAIL

            """.ReplaceLineEndings("\n"),
            PmdCommands.FormatRxq(_dp));
    }

    // A 60-byte frame between two zero MACs: IPv4/UDP with a minimal valid header for 0x0800, 46 zero bytes (ARP) for 0x0806.
    private static byte[] Frame(ushort type)
    {
        var f = new byte[60];
        f[12] = (byte)(type >> 8);
        f[13] = (byte)type;
        if (type == 0x0800)
        {
            f[14] = 0x45;
            f[16] = 0;
            f[17] = 46;
            f[22] = 64;
            f[23] = 17;
        }

        return f;
    }
}
