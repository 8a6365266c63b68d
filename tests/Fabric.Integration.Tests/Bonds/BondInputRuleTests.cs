using System.Buffers.Binary;
using Fabric.Datapath.Flows;
using Fabric.Integration.Tests.Lab;
using Xunit;
using Xunit.Abstractions;

namespace Fabric.Integration.Tests.Bonds;

/// <summary>
/// The bond input rules that keep a bond without LACP from duplicating or looping frames (OVS
/// bond_check_admissibility, ovs-facts §1.8), on real links: frames are injected into Fabric on a bond member and
/// the hosts' interfaces are captured. Each case ends with a control frame that must arrive, sent after the frame
/// that must not; one flow-table shard keeps them in order, so once the control is seen the other would have been too.
/// </summary>
public sealed class BondInputRuleTests(ITestOutputHelper output)
{
    private const ushort TestEtherType = 0x88b5; // IEEE 802 local experimental: nothing else in the lab sends it.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [RootFact]
    public async Task A_broadcast_arriving_on_the_non_active_member_of_an_slb_bond_is_not_forwarded()
    {
        await using var lab = await BondInputLab.StartAsync("bond-mode = balance-slb");
        var active = await ActiveAsync(lab);
        var backup = active == lab.MemberA ? lab.MemberB : lab.MemberA;
        await using var c1 = await Capture.StartAsync(lab.Hosts[0], "ether proto 0x88b5");
        await using var c2 = await Capture.StartAsync(lab.Hosts[1], "ether proto 0x88b5");

        const ulong dropped = 0x0200_00aa_0001UL, control = 0x0200_00aa_0002UL, accepted = 0x0200_00aa_0003UL;
        lab.Inject(backup, Frame(dropped, Broadcast), Frame(control, UnknownUnicast));
        lab.Inject(active, Frame(accepted, Broadcast));

        // The unicast control from the backup member (to an unknown address: flooded) and the broadcast from the active one reach both hosts.
        foreach (var c in new[] { c1, c2 })
        {
            Assert.True(await SwitchLab.WaitUntil(() => Seen(c, control) && Seen(c, accepted), Wait), "control frames missing:\n" + c.TextSoFar);
        }

        output.WriteLine("h1:\n" + c1.TextSoFar + "h2:\n" + c2.TextSoFar);
        Assert.False(Seen(c1, dropped), "a broadcast from the non-active member reached h1");
        Assert.False(Seen(c2, dropped), "a broadcast from the non-active member reached h2");
    }

    [RootFact]
    public async Task A_frame_from_a_mac_learned_on_a_local_port_arriving_on_the_bond_is_dropped_as_looped_back()
    {
        await using var lab = await BondInputLab.StartAsync("bond-mode = balance-slb");
        var active = await ActiveAsync(lab);

        // h1 and h2 talk: their MACs are learned on their own ports.
        Assert.Equal(0, SwitchLab.Ping(lab.Hosts[0], lab.Hosts[1].Ip, count: 3, interval: 0.05));
        await using var c2 = await Capture.StartAsync(lab.Hosts[1], "ether proto 0x88b5");

        var h1 = ParseMac(lab.Hosts[0].Mac);
        var h2 = ParseMac(lab.Hosts[1].Mac);
        const ulong control = 0x0200_00bb_0001UL;
        lab.Inject(active, Frame(h1, h2), Frame(control, h2));

        Assert.True(await SwitchLab.WaitUntil(() => Seen(c2, control), Wait), "control frame missing:\n" + c2.TextSoFar);
        output.WriteLine(c2.TextSoFar);
        Assert.False(Seen(c2, h1), "a frame with h1's source MAC came back through the bond and was forwarded to h2");
        Assert.Contains($"eth(src={FlowFormatter.FormatMac(h1)},dst={FlowFormatter.FormatMac(h2)})", await lab.Ctl("dpctl/dump-flows"), StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Active_backup_accepts_nothing_on_the_backup_member()
    {
        await using var lab = await BondInputLab.StartAsync("bond-mode = active-backup");
        var active = await ActiveAsync(lab);
        var backup = active == lab.MemberA ? lab.MemberB : lab.MemberA;
        await using var c1 = await Capture.StartAsync(lab.Hosts[0], "ether proto 0x88b5");
        var h1 = ParseMac(lab.Hosts[0].Mac);
        const ulong unicast = 0x0200_00cc_0001UL, control = 0x0200_00cc_0002UL;
        lab.Inject(backup, Frame(unicast, h1));
        lab.Inject(active, Frame(control, h1));

        Assert.True(await SwitchLab.WaitUntil(() => Seen(c1, control), Wait), "control frame missing:\n" + c1.TextSoFar);
        Assert.False(Seen(c1, unicast), "active-backup forwarded a frame that arrived on the backup member");
    }

    private const ulong Broadcast = 0xffff_ffff_ffffUL;
    private const ulong UnknownUnicast = 0x0200_00aa_00ffUL;

    private static async Task<string> ActiveAsync(BondInputLab lab)
    {
        string? active = null;
        Assert.True(await SwitchLab.WaitUntilAsync(async () => (active = await lab.ActiveMemberAsync()) is not null, Wait), "the bond has no active member");
        return active!;
    }

    private static bool Seen(Capture c, ulong src) => c.TextSoFar.Contains(FlowFormatter.FormatMac(src) + " >", StringComparison.Ordinal);

    private static ulong ParseMac(string text) => FlowFormatter.TryParseMac(text, out var mac) ? mac : throw new FormatException(text);

    /// <summary>A 60-byte frame of the test EtherType from <paramref name="src"/> to <paramref name="dst"/>.</summary>
    private static byte[] Frame(ulong src, ulong dst)
    {
        var f = new byte[60];
        BinaryPrimitives.WriteUInt16BigEndian(f, (ushort)(dst >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(2), (uint)dst);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(6), (ushort)(src >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(8), (uint)src);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), TestEtherType);
        return f;
    }
}
