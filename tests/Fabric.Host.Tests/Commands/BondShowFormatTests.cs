using Fabric.Actors.Bonds;
using Fabric.Actors.Bonds.Lacp;
using Fabric.Datapath.Bonds;
using Fabric.Host.Commands;
using Xunit;

namespace Fabric.Host.Tests.Commands;

/// <summary><c>bond/show</c> in OVS's layout (bond_print_details, ovs-facts §1.10; ovs-output-examples/bond-show-*.txt).</summary>
public sealed class BondShowFormatTests
{
    private static BondSettings Settings(BondMode mode) => new()
    {
        BondId = 1,
        Members = [new BondMemberSettings("s1", 5, 0xaa55_aa55_0006UL), new BondMemberSettings("s2", 6, 0xaa55_aa55_0007UL)],
        Mode = mode,
    };

    [Fact]
    public void A_balance_slb_bond_prints_as_ovs_does_with_its_bucket_loads()
    {
        var status = new BondProtocol.BondStatus(
            "bond-slb",
            1,
            Settings(BondMode.BalanceSlb),
            LacpStatus.Off,
            "s1",
            0xaa55_aa55_0006UL,
            7925,
            [
                new BondProtocol.MemberView("s1", true, true, true, null, 0, 0xaa55_aa55_0006UL, [(86, 3), (232, 3)]),
                new BondProtocol.MemberView("s2", true, true, true, null, 0, 0xaa55_aa55_0007UL, [(101, 3), (139, 3)]),
            ],
            0,
            0);

        Assert.Equal(
            """
            ---- bond-slb ----
            bond_mode: balance-slb
            bond may use recirculation: no, Recirc-ID : -1
            bond-hash-basis: 0
            lb_output action: enabled, bond-id: 1
            all members active: false
            updelay: 0 ms
            downdelay: 0 ms
            next rebalance: 7925 ms
            lacp_status: off
            lacp_fallback_ab: false
            active-backup primary: <none>
            active member mac: aa:55:aa:55:00:06(s1)

            member s1: enabled
              active member
              may_enable: true
              hash 86: 3 kB load
              hash 232: 3 kB load

            member s2: enabled
              may_enable: true
              hash 101: 3 kB load
              hash 139: 3 kB load

            """.ReplaceLineEndings("\n"),
            BondCommands.FormatShow(status));
    }

    [Fact]
    public void An_active_backup_bond_shows_a_running_updelay_and_no_rebalancing()
    {
        var status = new BondProtocol.BondStatus(
            "bond-ab",
            2,
            Settings(BondMode.ActiveBackup) with { UpDelay = TimeSpan.FromMilliseconds(200), Primary = "s9" },
            LacpStatus.Off,
            "s2",
            0xaa55_aa55_0007UL,
            -1,
            [
                new BondProtocol.MemberView("s1", false, true, true, "updelay", 150, 0xaa55_aa55_0006UL, []),
                new BondProtocol.MemberView("s2", true, true, true, null, 0, 0xaa55_aa55_0007UL, []),
            ],
            0,
            0);

        var text = BondCommands.FormatShow(status);
        Assert.DoesNotContain("next rebalance", text, StringComparison.Ordinal);
        Assert.DoesNotContain("all members active", text, StringComparison.Ordinal);
        Assert.Contains("updelay: 200 ms\n", text, StringComparison.Ordinal);
        Assert.Contains("active-backup primary: s9 (no such member)\n", text, StringComparison.Ordinal);
        Assert.Contains("\nmember s1: disabled\n  updelay expires in 150 ms\n  may_enable: true\n", text, StringComparison.Ordinal);
        Assert.Contains("\nmember s2: enabled\n  active member\n", text, StringComparison.Ordinal);
    }
}
