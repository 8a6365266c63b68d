using Fabric.Datapath.Forwarding;
using Fabric.Host.Configuration;
using Fabric.Host.Configuration.Hocon;

namespace Fabric.Host.Tests.Configuration;

/// <summary>
/// <c>fabric.datapath</c> and <c>fabric.upcall</c>: every setting the reference file has is checked by the loader, and the
/// datapath's rules are its own (<see cref="DatapathOptions.FindError"/>), so a value the loader accepts never fails later.
/// </summary>
public sealed class DatapathSettingsTests
{
    /// <summary>One bad value per setting, and the one line the loader reports for it.</summary>
    public static TheoryData<string, string, string> BadValues => new()
    {
        { "fabric.datapath.poll-threads", "0", "0 is outside 1..64" },
        { "fabric.datapath.batch-size", "1025", "1025 is outside 1..1024" },
        { "fabric.datapath.poll-timeout", "5s", "5000 ms is outside 1..1000 ms" },
        { "fabric.datapath.emc-entries", "100", "100 is not a power of two in 2..1048576" },
        { "fabric.datapath.emc-insert-inv-prob", "-1", "-1 is less than 0" },
        { "fabric.datapath.upcall-queue-size", "0", "0 is outside 1..1048576" },
        { "fabric.datapath.vnet-headers", "maybe", "expected a boolean" },
        { "fabric.datapath.af-packet-io", "mmap", "'mmap' is not one of: ring, ring-tx, mmsg" },
        { "fabric.upcall.flow-limit", "-5", "-5 is outside 1..10000000" },
        { "fabric.upcall.max-idle", "10sec", "expected a duration" },
        { "fabric.upcall.max-revalidator", "-1s", "expected a duration" },
        { "fabric.upcall.shards-per-bridge", "0", "0 is outside 1..64" },
    };

    private static NodeSettings Load(string hocon) => NodeSettingsLoader.FromConfig(ConfigReader.ParseString(hocon, "fabric.conf"));

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_value_is_one_line_at_its_position(string path, string value, string reason)
    {
        var e = Assert.Throws<ConfigException>(() => Load($"{path} = {value}"));

        Assert.StartsWith($"fabric.conf:1:{path.Length + 4}: {path}: {reason}", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Every_datapath_and_upcall_setting_of_the_reference_has_a_bad_value_case()
    {
        var reference = new[] { "fabric.datapath", "fabric.upcall" }
            .SelectMany(section => NodeSettingsLoader.Reference.GetConfig(section).Keys.Select(key => section + "." + key))
            .Order();
        var covered = BadValues.Select(row => (string)row[0]).Order();

        Assert.Equal(reference, covered);
    }

    [Fact]
    public void Emc_entries_100_is_refused_by_the_loader_not_by_the_datapath()
    {
        var e = Assert.Throws<ConfigException>(() => Load("fabric {\n  datapath {\n    emc-entries = 100\n  }\n}"));

        Assert.Equal("fabric.conf:3:19: fabric.datapath.emc-entries: 100 is not a power of two in 2..1048576", e.Message);
    }

    [Fact]
    public void The_limits_are_accepted_and_build_a_datapath()
    {
        var s = Load("""
            fabric.datapath { poll-threads = 64, batch-size = 1024, poll-timeout = 1s, emc-entries = 1048576, emc-insert-inv-prob = 0, upcall-queue-size = 1048576 }
            fabric.upcall.flow-limit = 10000000
            """);

        Assert.Equal((64, 1024, 1000, 1 << 20, 0, 1 << 20, 10_000_000), (s.Datapath.PollThreads, s.Datapath.BatchSize, s.Datapath.PollTimeoutMs, s.Datapath.EmcEntries, s.Datapath.EmcInsertInvProb, s.Datapath.UpcallQueueCapacity, s.Datapath.FlowLimit));
        using var datapath = new Fabric.Datapath.Forwarding.Datapath(s.Datapath, TimeProvider.System);
        Assert.False(datapath.IsRunning);
    }

    [Theory]
    [InlineData("100us", 1)]
    [InlineData("1500us", 2)]
    [InlineData("10ms", 10)]
    public void A_poll_timeout_is_rounded_up_to_whole_milliseconds(string written, int ms)
    {
        Assert.Equal(ms, Load($"fabric.datapath.poll-timeout = {written}").Datapath.PollTimeoutMs);
    }

    [Fact]
    public void Idle_and_revalidation_times_are_raised_to_the_ovs_minimums()
    {
        var s = Load("fabric.upcall { max-idle = 100ms, max-revalidator = 10ms }");

        Assert.Equal(TimeSpan.FromMilliseconds(500), s.MaxIdle);
        Assert.Equal(TimeSpan.FromMilliseconds(100), s.RevalidateInterval);
    }

    [Fact]
    public void Vnet_headers_are_on_by_default_with_64_kb_slots_and_a_port_may_turn_them_off()
    {
        var s = Load("""
            fabric.bridges = [ { name = br0, ports = [ { name = veth0 }, { name = veth1, vnet-headers = off }, { name = tap0, type = tap, vnet-headers = on } ] } ]
            """);

        Assert.True(s.Datapath.VnetHeaders);
        Assert.Equal(Fabric.Datapath.Buffers.PacketBatch.LargeSlotSize, s.Datapath.EffectiveSlotSize);
        Assert.Equal(new bool?[] { null, false, true }, s.Bridges[0].Ports.Select(p => p.VnetHeaders));
    }

    [Theory]
    [InlineData("", Fabric.Datapath.Ports.AfPacketIo.Mmsg)]
    [InlineData("fabric.datapath.af-packet-io = ring", Fabric.Datapath.Ports.AfPacketIo.Ring)]
    [InlineData("fabric.datapath.af-packet-io = ring-tx", Fabric.Datapath.Ports.AfPacketIo.RingTx)]
    public void Af_packet_io_defaults_to_mmsg(string hocon, Fabric.Datapath.Ports.AfPacketIo expected)
    {
        Assert.Equal(expected, Load(hocon).AfPacketIo);
    }

    [Fact]
    public void Vnet_headers_off_keeps_2_kb_slots()
    {
        var s = Load("fabric.datapath.vnet-headers = off");

        Assert.False(s.Datapath.VnetHeaders);
        Assert.Equal(Fabric.Datapath.Buffers.PacketBatch.DefaultSlotSize, s.Datapath.EffectiveSlotSize);
    }
}
