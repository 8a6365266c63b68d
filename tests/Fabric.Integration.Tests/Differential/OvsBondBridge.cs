using System.Globalization;
using Fabric.Integration.Tests.Lab;
using Fabric.Integration.Tests.Ovs;

namespace Fabric.Integration.Tests.Differential;

/// <summary>
/// The OVS side of a differential run: <see cref="DifferentialTopology"/> built on a private ovs-vswitchd with the
/// dummy datapath (every port a netdev-dummy device), the bond configured per <see cref="BondScenario"/>, the MAC
/// table preloaded with static <c>fdb/add</c> entries, and packets traced with <c>ofproto/trace BRIDGE in_port=N HEX</c>.
/// </summary>
/// <remarks>
/// A trace given a packet runs with side effects (OVS <c>xlate_in_init</c>: <c>allow_side_effects = packet != NULL</c>),
/// as an upcall does: it learns the source MAC. So that every packet sees the same table as Fabric's fixed view,
/// <see cref="TraceAsync"/> flushes the dynamic entries after each trace (<c>fdb/flush</c> keeps static ones, which
/// learning never moves or grat-ARP-locks, ovs-facts §2.1, <c>lib/mac-learning.c:is_mac_learning_update_needed</c>).
/// </remarks>
public sealed class OvsBondBridge
{
    private static readonly TimeSpan LacpTimeout = TimeSpan.FromSeconds(30);
    private readonly OvsSwitch _ovs;

    private OvsBondBridge(OvsSwitch ovs, IReadOnlyDictionary<string, int> dpPorts, OvsBondState bond)
    {
        _ovs = ovs;
        DpPorts = dpPorts;
        BondState = bond;
    }

    /// <summary>Datapath port number of every port of the bridge under test (internal port, host ports, members), by name.</summary>
    public IReadOnlyDictionary<string, int> DpPorts { get; }

    /// <summary>The bond as OVS reported it once set up.</summary>
    public OvsBondState BondState { get; }

    /// <summary>Builds the topology for <paramref name="scenario"/> and waits for the bond's LACP state to settle.</summary>
    public static async Task<OvsBondBridge> BuildAsync(OvsSwitch ovs, BondScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(ovs);
        ArgumentNullException.ThrowIfNull(scenario);
        const string br = DifferentialTopology.Bridge;
        var args = new List<string> { "add-br", br, "--", "set", "bridge", br, "datapath_type=dummy", "other-config:hwaddr=aa:66:aa:66:00:01" };
        foreach (var p in DifferentialTopology.HostPorts)
        {
            args.AddRange(["--", "add-port", br, p.Name, .. p.OvsColumns()]);
            args.AddRange(["--", "set", "interface", p.Name, "type=dummy", $"ofport_request={p.OfPort}"]);
        }

        args.AddRange(["--", "add-bond", br, DifferentialTopology.Bond, .. DifferentialTopology.Members.Select(m => m.Name), $"bond_mode={scenario.OvsMode}", "other-config:bond-rebalance-interval=0"]);
        if (scenario.Lacp != LacpSetup.Off)
        {
            args.AddRange(["lacp=active", "other-config:lacp-time=fast"]);
        }

        if (scenario.FallbackAb)
        {
            args.Add("other-config:lacp-fallback-ab=true");
        }

        if (scenario.AllMembersActive)
        {
            args.Add("other-config:all-members-active=true");
        }

        foreach (var (name, ofPort) in DifferentialTopology.Members)
        {
            args.AddRange(["--", "set", "interface", name, "type=dummy", $"ofport_request={ofPort}"]);
            if (scenario.Lacp == LacpSetup.Negotiated)
            {
                args.Add($"options:pstream=punix:{Socket(ovs, name)}");
            }
        }

        if (scenario.Lacp == LacpSetup.Negotiated)
        {
            // The partner: fail-mode secure (no NORMAL flow, it forwards nothing), its members connected to ours.
            const string pbr = DifferentialTopology.PartnerBridge;
            args.AddRange(["--", "add-br", pbr, "--", "set", "bridge", pbr, "datapath_type=dummy", "fail-mode=secure", "other-config:hwaddr=aa:66:aa:66:00:02"]);
            args.AddRange(["--", "add-bond", pbr, "bondp", "q1", "q2", "bond_mode=balance-tcp", "lacp=active", "other-config:lacp-time=fast", "other-config:bond-rebalance-interval=0"]);
            args.AddRange(["--", "set", "interface", "q1", "type=dummy", "ofport_request=1", $"options:stream=unix:{Socket(ovs, "m1")}"]);
            args.AddRange(["--", "set", "interface", "q2", "type=dummy", "ofport_request=2", $"options:stream=unix:{Socket(ovs, "m2")}"]);
        }

        await ovs.VsctlAsync([.. args]);
        await WaitForLacpAsync(ovs, scenario);

        if (OvsBondState.Parse(await ovs.AppctlAsync("bond/show", DifferentialTopology.Bond)).Members[DifferentialTopology.Members[0].Name].Enabled)
        {
            // (Without negotiation and without fallback every member is disabled and OVS refuses to make one active.)
            await ovs.AppctlAsync("bond/set-active-member", DifferentialTopology.Bond, DifferentialTopology.Members[0].Name);
        }

        foreach (var mac in DifferentialTopology.Macs)
        {
            var port = mac.Port == DifferentialTopology.Bond ? DifferentialTopology.Members[0].Name : mac.Port;
            await ovs.AppctlAsync("fdb/add", br, port, mac.Vlan.ToString(CultureInfo.InvariantCulture), Fabric.Datapath.Flows.FlowFormatter.FormatMac(mac.Mac));
        }

        var fdb = await ovs.AppctlAsync("fdb/show", br);
        var statics = fdb.Split('\n').Count(l => l.TrimEnd().EndsWith("static", StringComparison.Ordinal));
        if (statics != DifferentialTopology.Macs.Count)
        {
            throw new InvalidOperationException($"expected {DifferentialTopology.Macs.Count} static MAC entries, fdb/show has {statics}:\n{fdb}");
        }

        var names = new HashSet<string>(DifferentialTopology.InputPorts, StringComparer.Ordinal);
        var dp = (await ovs.DatapathPortsAsync()).Where(kv => names.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        if (dp.Count != names.Count)
        {
            throw new InvalidOperationException($"dpif/show lacks ports: {string.Join(", ", names.Except(dp.Keys))}\n{await ovs.AppctlAsync("dpif/show")}");
        }

        var bond = OvsBondState.Parse(await ovs.AppctlAsync("bond/show", DifferentialTopology.Bond));
        return new OvsBondBridge(ovs, dp, bond);
    }

    /// <summary>Traces <paramref name="frame"/> arriving on <paramref name="inPort"/>, then forgets what the trace learned.</summary>
    public async Task<OvsTrace> TraceAsync(string inPort, byte[] frame)
    {
        var text = await _ovs.AppctlAsync("ofproto/trace", DifferentialTopology.Bridge, "in_port=" + DifferentialTopology.OvsInPort(inPort), FrameBuilder.Hex(frame));
        await _ovs.AppctlAsync("fdb/flush", DifferentialTopology.Bridge);
        return OvsTrace.Parse(text);
    }

    /// <summary>The bond's current bond/show state (to check it did not change during the run).</summary>
    public async Task<OvsBondState> CurrentBondStateAsync() =>
        OvsBondState.Parse(await _ovs.AppctlAsync("bond/show", DifferentialTopology.Bond));

    private static string Socket(OvsSwitch ovs, string member) => Path.Combine(ovs.Directory, member + ".sock");

    /// <summary>
    /// Waits until the bond's LACP state is the scenario's. Not negotiated: OVS first counts its "expired" members as
    /// negotiated for 3 receive intervals, so wait for the plain "status: active". Negotiated: both members "current
    /// attached" and enabled.
    /// </summary>
    private static async Task WaitForLacpAsync(OvsSwitch ovs, BondScenario scenario)
    {
        if (scenario.Lacp == LacpSetup.Off)
        {
            return;
        }

        var lacp = "";
        var show = "";
        var settled = await SwitchLab.WaitUntilAsync(
            async () =>
            {
                lacp = await ovs.AppctlAsync("lacp/show", DifferentialTopology.Bond);
                show = await ovs.AppctlAsync("bond/show", DifferentialTopology.Bond);
                var state = OvsBondState.Parse(show);
                var status = lacp.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("status:", StringComparison.Ordinal));
                return scenario.Lacp == LacpSetup.NotNegotiated
                    ? status == "status: active" && state.LacpStatus == "configured"
                    : status == "status: active negotiated" && state.Negotiated
                      && DifferentialTopology.Members.All(m => lacp.Contains($"member: {m.Name}: current attached", StringComparison.Ordinal))
                      && state.Members.Values.All(s => s.Enabled && s.MayEnable);
            },
            LacpTimeout);
        if (!settled)
        {
            throw new TimeoutException($"bond never reached LACP state {scenario.Lacp}:\n{lacp}\n{show}\n{ovs.Diagnostics()}");
        }
    }
}
