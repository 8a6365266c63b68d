using Fabric.Host.Commands;
using Xunit;

namespace Fabric.Host.Tests.Commands;

/// <summary><c>memory/show</c>: the datapath's sizes in OVS's <c>name:count</c> line, then the runtime's heap and collections.</summary>
public sealed class MemoryCommandsTests
{
    [Fact]
    public void Memory_show_prints_the_sizes_the_heap_and_the_collections()
    {
        var f = new MemoryFigures(
            Megaflows: 2, Masks: 1, Ports: 3, HeapBytes: 14_203_912, FragmentedBytes: 1_024, WorkingSetBytes: 182_345_728,
            Gen0: 41, Gen1: 12, Gen2: 2, PausedMs: 38.24, UptimeMs: 312_000, LastIndex: 55, LastGeneration: 1,
            LastKind: "blocking", LastPauseMs: 1.844, LastPromotedBytes: 1_204_224);

        Assert.Equal(
            "megaflows:2 masks:1 ports:3\n" +
            "managed heap: 14,203,912 bytes (1,024 fragmented); working set: 182,345,728 bytes\n" +
            "collections: gen0 41, gen1 12, gen2 2; paused 38.2 ms in total (0.01 % of 312.0 s)\n" +
            "last collection: #55, gen1, blocking, paused 1.84 ms, promoted 1,204,224 bytes\n",
            MemoryCommands.Format(f));
    }

    [Fact]
    public void Before_any_collection_the_last_one_is_none()
    {
        var f = new MemoryFigures(0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 10, 0, 0, "blocking", 0, 0);
        Assert.EndsWith("last collection: none\n", MemoryCommands.Format(f), StringComparison.Ordinal);
    }

    [Fact]
    public void The_figures_of_this_process_count_a_collection_it_makes()
    {
        MemoryFigures before = MemoryFigures.Now(0, 0, 0);
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        MemoryFigures after = MemoryFigures.Now(5, 2, 1);

        Assert.True(after.Gen0 > before.Gen0, $"gen0 collections {before.Gen0} -> {after.Gen0}");
        Assert.True(after.LastIndex > before.LastIndex, $"last collection #{before.LastIndex} -> #{after.LastIndex}");
        Assert.True(after.PausedMs >= before.PausedMs);
        Assert.True(after.WorkingSetBytes > 0 && after.UptimeMs > 0);
        Assert.Equal((5L, 2, 1), (after.Megaflows, after.Masks, after.Ports));
    }
}
