using System.Text;
using Fabric.Datapath.Bonds;
using Fabric.Datapath.Packets;
using Fabric.Integration.Tests.Lab;
using Fabric.Integration.Tests.Ovs;
using Xunit.Abstractions;

namespace Fabric.Integration.Tests.Differential;

/// <summary>
/// Differential test of bond forwarding decisions: the same bridge (<see cref="DifferentialTopology"/>) is built in a
/// private Open vSwitch 3.1 (dummy datapath, traced with <c>ofproto/trace</c>) and in Fabric (its NORMAL translator,
/// in-process), both get the same generated frames (<see cref="PacketGenerator"/>, fixed seed), and Fabric must agree
/// with OVS on every one (<see cref="PacketComparison"/>): dropped or forwarded, the copies sent (port, or "the bond"
/// whichever member, and the egress tag) and the megaflow's field names. Every disagreement is printed in full and
/// the run is summarised per scenario; the test fails when any packet disagrees.
/// </summary>
public sealed class BondDifferentialTests(ITestOutputHelper output)
{
    [RootFact]
    public Task Active_backup_bond_agrees_with_ovs() =>
        RunAsync(new BondScenario("active-backup", BondMode.ActiveBackup, LacpSetup.Off));

    [RootFact]
    public Task Balance_slb_bond_agrees_with_ovs() =>
        RunAsync(new BondScenario("balance-slb", BondMode.BalanceSlb, LacpSetup.Off));

    [RootFact]
    public Task Balance_slb_bond_with_all_members_active_agrees_with_ovs() =>
        RunAsync(new BondScenario("balance-slb, all-members-active", BondMode.BalanceSlb, LacpSetup.Off, AllMembersActive: true));

    [RootFact]
    public Task Balance_tcp_bond_without_lacp_agrees_with_ovs() =>
        RunAsync(new BondScenario("balance-tcp, LACP off", BondMode.BalanceTcp, LacpSetup.Off));

    [RootFact]
    public Task Balance_tcp_bond_with_lacp_not_negotiated_agrees_with_ovs() =>
        RunAsync(new BondScenario("balance-tcp, LACP active not negotiated", BondMode.BalanceTcp, LacpSetup.NotNegotiated));

    [RootFact]
    public Task Balance_tcp_bond_with_lacp_not_negotiated_falling_back_to_active_backup_agrees_with_ovs() =>
        RunAsync(new BondScenario("balance-tcp, LACP not negotiated, lacp-fallback-ab", BondMode.BalanceTcp, LacpSetup.NotNegotiated, FallbackAb: true));

    [RootFact]
    public Task Balance_tcp_bond_with_lacp_negotiated_agrees_with_ovs() =>
        RunAsync(new BondScenario("balance-tcp, LACP negotiated", BondMode.BalanceTcp, LacpSetup.Negotiated));

    private async Task RunAsync(BondScenario scenario)
    {
        await using var ovs = await OvsSwitch.StartAsync(enableDummy: true);
        var ovsBridge = await OvsBondBridge.BuildAsync(ovs, scenario);
        var fabric = new FabricBondBridge(scenario, ovsBridge.DpPorts, ovsBridge.BondState);
        var dpNames = ovsBridge.DpPorts.ToDictionary(kv => kv.Value, kv => kv.Key);
        var bond = ovsBridge.BondState;
        output.WriteLine($"=== {scenario.Name} ===");
        output.WriteLine($"datapath ports: {string.Join(", ", ovsBridge.DpPorts.OrderBy(kv => kv.Value).Select(kv => $"{kv.Key}={kv.Value}"))}");
        output.WriteLine($"OVS bond: lacp_status {bond.LacpStatus}, recirc id {bond.RecircId}, active {bond.ActiveMember ?? "none"}, members {string.Join(", ", bond.Members.Select(m => $"{m.Key} enabled={m.Value.Enabled} may_enable={m.Value.MayEnable}"))}");
        output.WriteLine($"Fabric bond map: input rule {fabric.Map.InputRule}, active dp {fabric.Map.ActiveMember}, bucket outputs {string.Join(",", fabric.Map.Outputs.ToArray().Distinct())}");

        var packets = PacketGenerator.Generate();
        var comparisons = new List<PacketComparison>(packets.Count);
        foreach (var packet in packets)
        {
            var parsed = PacketParser.Parse(packet.Frame, fabric.DpPortOf(packet.InPort), out var key, out _);
            Assert.True(parsed == DropReason.None, $"packet #{packet.Index} ({packet.Description}) does not parse: {parsed}");
            var trace = await ovsBridge.TraceAsync(packet.InPort, packet.Frame);
            var ovsDecision = ForwardingDecision.FromOvs(trace, key, dpNames, bond.RecircId);
            var result = fabric.Translate(key);
            var fabricDecision = ForwardingDecision.FromFabric(result, key, fabric);
            comparisons.Add(PacketComparison.Compare(packet, key, ovsDecision, fabricDecision, result, fabric));
        }

        // The bond must not have changed under the run (LACP renegotiation, failover): the comparison assumed its state.
        var after = await ovsBridge.CurrentBondStateAsync();
        Assert.True(
            after.LacpStatus == bond.LacpStatus && after.ActiveMember == bond.ActiveMember && after.Members.All(m => bond.Members[m.Key] == m.Value),
            $"OVS's bond changed during the run:\nbefore:\n{bond.Text}\nafter:\n{after.Text}");

        var summary = Summary(scenario, comparisons);
        output.WriteLine(summary);
        output.WriteLine(Categories(comparisons));
        foreach (var c in comparisons.Where(c => !c.Agrees))
        {
            output.WriteLine(c.Report(scenario.Name));
        }

        foreach (var problem in ovs.LogProblems())
        {
            output.WriteLine($"ovs-vswitchd log: {problem}");
        }

        Assert.True(comparisons.All(c => c.Agrees), summary);
    }

    private static string Summary(BondScenario scenario, List<PacketComparison> comparisons)
    {
        var sb = new StringBuilder();
        var agree = comparisons.Count(c => c.Agrees);
        sb.AppendLine($"SUMMARY {scenario.Name}: {comparisons.Count} packets, {agree} agree "
            + $"(forwarding {comparisons.Count(c => c.ForwardingAgrees)}, megaflow fields {comparisons.Count(c => c.FieldsAgree)}); "
            + $"{comparisons.Count(c => c.Ovs.Dropped)} dropped by OVS, {comparisons.Count(c => c.OvsSendsToBond)} sent to the bond by OVS; "
            + $"{comparisons.Count(c => c.Tolerated.Count > 0)} with the intended balance-tcp 5-tuple difference");
        foreach (var group in comparisons.Where(c => c.Tolerated.Count > 0).GroupBy(c => string.Join(",", c.Tolerated)).OrderByDescending(g => g.Count()))
        {
            sb.AppendLine($"  tolerated (Fabric's balance-tcp hash fields, OVS recirculates or drops): {group.Count(),3} × {{{group.Key}}}");
        }

        sb.AppendLine("  disagreement classes:" + (comparisons.All(c => c.Agrees) ? " none" : ""));
        foreach (var group in comparisons.Where(c => !c.Agrees).GroupBy(c => c.DisagreementClass).OrderByDescending(g => g.Count()))
        {
            var first = group.First();
            sb.AppendLine($"  {group.Count(),3} × {group.Key}  (e.g. #{first.Packet.Index} {first.Packet.Category}; categories: {string.Join(" | ", group.Select(c => c.Packet.Category).Distinct().Take(6))})");
        }

        return sb.ToString().TrimEnd();
    }

    private static string Categories(List<PacketComparison> comparisons)
    {
        var sb = new StringBuilder("packets per category (agree/total):\n");
        foreach (var group in comparisons.GroupBy(c => c.Packet.Category).OrderBy(g => g.Min(c => c.Packet.Index)))
        {
            sb.AppendLine($"  {group.Count(c => c.Agrees),3}/{group.Count(),-3} {group.Key}");
        }

        return sb.ToString().TrimEnd();
    }
}
