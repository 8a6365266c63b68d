using System.Collections.Immutable;
using Fabric.Actors.Bonds;
using Fabric.Actors.Bonds.Lacp;
using Fabric.Actors.Bridge;
using Fabric.Actors.Normal;
using Fabric.Datapath.Bonds;
using Fabric.Datapath.Flows;

namespace Fabric.Integration.Tests.Differential;

/// <summary>
/// The Fabric side of a differential run: <see cref="DifferentialTopology"/> as a <see cref="BridgeSettings"/> whose
/// datapath port numbers are OVS's (so both sides' actions name the same numbers), translated in-process by
/// <see cref="NormalTranslator"/> against a fixed <see cref="MacTableView"/> holding the same entries as OVS's
/// static ones, with the bond's live state published in a <see cref="BondTable"/>.
/// </summary>
/// <remarks>
/// The bond map is what <c>BondActor</c> would publish for the same situation: member enabled / may_enable as OVS
/// reports them (link up, LACP state), the active member OVS has, the input rule of <c>BondActor.InputRule()</c> and
/// the bucket outputs of <c>BondActor.EffectiveOutput()</c>, mirrored here from its source:
/// LACP negotiated → Negotiated; LACP configured, not negotiated, no fallback → DropAll; otherwise balance-slb → Slb,
/// balance-tcp without LACP → DropAll, else ActiveOnly. Outputs: LACP configured and not negotiated → none (0) without
/// fallback; active-backup → the active member; balance-tcp without LACP → none; else buckets spread over the enabled
/// members; all-members-active only for balance-slb without LACP.
/// </remarks>
public sealed class FabricBondBridge
{
    private readonly Dictionary<ushort, string> _names;

    /// <summary>Builds the Fabric bridge for <paramref name="scenario"/> with OVS's port numbers and bond state.</summary>
    public FabricBondBridge(BondScenario scenario, IReadOnlyDictionary<string, int> dpPorts, OvsBondState bond)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(dpPorts);
        ArgumentNullException.ThrowIfNull(bond);
        _names = dpPorts.ToDictionary(kv => (ushort)kv.Value, kv => kv.Key);
        ushort Dp(string name) => (ushort)dpPorts[name];

        var ports = new List<BridgePort>
        {
            new() { Name = DifferentialTopology.Bridge, OfPort = DifferentialTopology.LocalOfPort, DpPort = Dp(DifferentialTopology.Bridge), Type = "internal", Mode = VlanMode.Trunk },
        };
        ports.AddRange(DifferentialTopology.HostPorts.Select(p => p.ToBridgePort(Dp(p.Name))));
        var members = DifferentialTopology.Members.Select(m => new BondMemberSettings(m.Name, Dp(m.Name), 0)).ToArray();
        BondSettings = new BondSettings
        {
            BondId = DifferentialTopology.BondId,
            Members = members,
            Mode = scenario.Mode,
            Lacp = scenario.Lacp == LacpSetup.Off ? LacpMode.Off : LacpMode.Active,
            LacpTime = LacpTime.Fast,
            LacpFallbackAb = scenario.FallbackAb,
            AllMembersActive = scenario.AllMembersActive,
            RebalanceInterval = TimeSpan.Zero,
        };
        ports.Add(new BridgePort
        {
            Name = DifferentialTopology.Bond,
            OfPort = DifferentialTopology.BondOfPort,
            DpPort = members[0].DpPort,
            Type = "bond",
            Mode = VlanMode.Trunk,
            Bond = BondSettings,
        });
        Settings = new BridgeSettings { Name = DifferentialTopology.Bridge, Ports = ports };

        var ofPorts = ports.ToDictionary(p => p.Name, p => p.OfPort, StringComparer.Ordinal);
        var entries = ImmutableDictionary.CreateBuilder<(int Vlan, ulong Mac), int>();
        foreach (var mac in DifferentialTopology.Macs)
        {
            entries[(mac.Vlan, mac.Mac)] = ofPorts[mac.Port];
        }

        Macs = new MacTableView(entries.ToImmutable(), Epoch: 1, Version: 1);

        Bonds = new BondTable(threads: 1);
        var state = members.Select(m => bond.Members.TryGetValue(m.Name, out var s) ? new BondMember(m.DpPort, s.Enabled, s.MayEnable) : new BondMember(m.DpPort, false, false)).ToArray();
        var activeDp = bond.ActiveMember is { } a ? Dp(a) : (ushort)0;
        var lacpConfigured = scenario.Lacp != LacpSetup.Off;
        var rule = InputRule(scenario.Mode, lacpConfigured, bond.Negotiated, BondSettings.LacpFallbackAb);
        var outputs = Outputs(scenario.Mode, lacpConfigured, bond.Negotiated, BondSettings.LacpFallbackAb, activeDp, state);
        var allActive = BondSettings.AllMembersActive && scenario.Mode == BondMode.BalanceSlb && !lacpConfigured;
        Map = new BondMap(DifferentialTopology.BondId, DifferentialTopology.Bond, scenario.Mode, outputs, activeDp, state, rule, allActive, Bonds.CountersFor(DifferentialTopology.BondId));
        Bonds.Publish(Map);
        Translator = new NormalTranslator(Settings, Bonds);
    }

    /// <summary>The bridge configuration.</summary>
    public BridgeSettings Settings { get; }

    /// <summary>The bond's configuration.</summary>
    public BondSettings BondSettings { get; }

    /// <summary>The MAC table version translated against.</summary>
    public MacTableView Macs { get; }

    /// <summary>The datapath's bond table, holding <see cref="Map"/>.</summary>
    public BondTable Bonds { get; }

    /// <summary>The published bond state.</summary>
    public BondMap Map { get; }

    /// <summary>The translator under test.</summary>
    public NormalTranslator Translator { get; }

    /// <summary>The port name of datapath port <paramref name="dpPort"/>, or "dp&lt;N&gt;" when it is none of ours.</summary>
    public string NameOf(ushort dpPort) => _names.TryGetValue(dpPort, out var n) ? n : $"dp{dpPort}";

    /// <summary>The datapath port number of port <paramref name="name"/>.</summary>
    public ushort DpPortOf(string name) => _names.First(kv => kv.Value == name).Key;

    /// <summary>Translates <paramref name="key"/> through NORMAL.</summary>
    public XlateResult Translate(in FlowKey key) => Translator.Translate(key, Macs);

    private static BondInputRule InputRule(BondMode mode, bool lacpConfigured, bool negotiated, bool fallback)
    {
        if (lacpConfigured && negotiated)
        {
            return BondInputRule.Negotiated;
        }

        if (lacpConfigured && !fallback)
        {
            return BondInputRule.DropAll;
        }

        return mode switch
        {
            BondMode.BalanceSlb => BondInputRule.Slb,
            BondMode.BalanceTcp when !lacpConfigured => BondInputRule.DropAll,
            _ => BondInputRule.ActiveOnly,
        };
    }

    private static ushort[] Outputs(BondMode mode, bool lacpConfigured, bool negotiated, bool fallback, ushort activeDp, BondMember[] members)
    {
        var outputs = new ushort[BondMap.Buckets];
        var active = lacpConfigured && !negotiated
            ? fallback
            : mode == BondMode.ActiveBackup;
        var none = (lacpConfigured && !negotiated && !fallback) || (mode == BondMode.BalanceTcp && !lacpConfigured);
        if (none)
        {
            return outputs;
        }

        var enabled = members.Where(m => m.Enabled).Select(m => m.DpPort).ToArray();
        for (var b = 0; b < outputs.Length; b++)
        {
            outputs[b] = active ? activeDp : enabled.Length == 0 ? (ushort)0 : enabled[b % enabled.Length];
        }

        return outputs;
    }
}
