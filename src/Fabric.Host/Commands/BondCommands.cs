using System.Globalization;
using System.Text;
using Akka.Actor;
using Fabric.Actors.Bonds;
using Fabric.Actors.Bonds.Lacp;
using Fabric.Datapath.Bonds;
using Fabric.Datapath.Flows;
using Fabric.Host.Control;
using Fabric.Host.Node;

namespace Fabric.Host.Commands;

/// <summary>
/// The bond and LACP verbs of a running node, named and printed as OVS's <c>ovs-appctl</c> (ovs-facts §1.10):
/// bond/list, bond/show, bond/migrate, bond/set-active-member, bond/enable-member, bond/disable-member, bond/hash,
/// lacp/show, lacp/show-stats (and OVS's legacy <c>*-slave</c> aliases).
/// </summary>
public static class BondCommands
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Registers the bond and LACP verbs of <paramref name="node"/> in <paramref name="registry"/>.</summary>
    public static void Register(ControlCommandRegistry registry, FabricNode node)
    {
        registry.Register("bond/list", "", "bonds with their mode and members", (_, _) => List(node), 0, 0);
        registry.Register("bond/show", "[PORT]", "state of every bond, or of PORT: mode, delays, LACP, members, bucket loads", (a, _) => Show(node, a.Count == 0 ? null : a[0]), 0, 1);
        registry.Register("bond/migrate", "PORT HASH MEMBER", "move hash bucket HASH (0..255) of balanced bond PORT to MEMBER", (a, _) => Migrate(node, a), 3, 3);
        foreach (var name in new[] { "bond/set-active-member", "bond/set-active-slave" })
        {
            registry.Register(name, "PORT MEMBER", "make MEMBER the active member of PORT", (a, _) => Command(node, a[0], new BondProtocol.SetActiveMember(a[0], a[1])), 2, 2);
        }

        foreach (var (name, enable) in new[] { ("bond/enable-member", true), ("bond/enable-slave", true), ("bond/disable-member", false), ("bond/disable-slave", false) })
        {
            registry.Register(name, "PORT MEMBER", enable ? "allow MEMBER of PORT to be enabled again" : "disable MEMBER of PORT at once", (a, _) => Command(node, a[0], new BondProtocol.SetMemberEnabled(a[0], a[1], enable)), 2, 2);
        }

        registry.Register("bond/hash", "MAC [VLAN] [BASIS]", "the balance-slb hash bucket (0..255) of MAC in VLAN", (a, _) => Task.FromResult(Hash(a)), 1, 3);
        registry.Register("lacp/show", "[PORT]", "LACP actor and partner state of every LACP bond, or of PORT", (a, _) => Lacp(node, a.Count == 0 ? null : a[0], stats: false), 0, 1);
        registry.Register("lacp/show-stats", "[PORT]", "LACP PDU counters of every LACP bond, or of PORT", (a, _) => Lacp(node, a.Count == 0 ? null : a[0], stats: true), 0, 1);
    }

    /// <summary>OVS bond_print_details: the text of <c>bond/show</c> for one bond.</summary>
    public static string FormatShow(BondProtocol.BondStatus s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var inv = CultureInfo.InvariantCulture;
        var b = s.Settings;
        var text = new StringBuilder();
        text.Append(inv, $"---- {s.Name} ----\n");
        text.Append(inv, $"bond_mode: {ModeName(b.Mode)}\n");
        text.Append("bond may use recirculation: no, Recirc-ID : -1\n");
        text.Append(inv, $"bond-hash-basis: {b.HashBasis}\n");
        text.Append(inv, $"lb_output action: enabled, bond-id: {s.BondId}\n");
        if (b.Mode == BondMode.BalanceSlb)
        {
            text.Append(inv, $"all members active: {Bool(b.AllMembersActive)}\n");
        }

        text.Append(inv, $"updelay: {(long)b.UpDelay.TotalMilliseconds} ms\n");
        text.Append(inv, $"downdelay: {(long)b.DownDelay.TotalMilliseconds} ms\n");
        if (s.NextRebalanceMs >= 0)
        {
            text.Append(inv, $"next rebalance: {s.NextRebalanceMs} ms\n");
        }

        text.Append(inv, $"lacp_status: {s.LacpStatus.ToOvsString()}\n");
        text.Append(inv, $"lacp_fallback_ab: {Bool(b.LacpFallbackAb)}\n");
        var primary = b.Primary is null ? "<none>" : s.Members.Any(m => m.Name == b.Primary) ? b.Primary : b.Primary + " (no such member)";
        text.Append(inv, $"active-backup primary: {primary}\n");
        text.Append(inv, $"active member mac: {FlowFormatter.FormatMac(s.ActiveMac)}({s.ActiveMember ?? "none"})\n");
        foreach (var m in s.Members)
        {
            text.Append(inv, $"\nmember {m.Name}: {(m.Enabled ? "enabled" : "disabled")}\n");
            if (m.Name == s.ActiveMember)
            {
                text.Append("  active member\n");
            }

            if (m.DelayKind is not null)
            {
                text.Append(inv, $"  {m.DelayKind} expires in {m.DelayRemainingMs} ms\n");
            }

            text.Append(inv, $"  may_enable: {Bool(m.MayEnable)}\n");
            foreach (var (bucket, kb) in m.BucketKilobytes)
            {
                text.Append(inv, $"  hash {bucket}: {kb} kB load\n");
            }
        }

        return text.ToString();
    }

    /// <summary>The mode as OVS names it: active-backup, balance-slb, balance-tcp.</summary>
    public static string ModeName(BondMode mode) => mode switch
    {
        BondMode.BalanceSlb => "balance-slb",
        BondMode.BalanceTcp => "balance-tcp",
        _ => "active-backup",
    };

    private static string Bool(bool value) => value ? "true" : "false";

    /// <summary>Every bond of the node with the bridge actor that runs it, in configuration order.</summary>
    private static IEnumerable<(OpenedBridge Bridge, Fabric.Actors.Bridge.BridgePort Port)> Bonds(FabricNode node)
    {
        foreach (var bridge in node.Bridges)
        {
            foreach (var port in bridge.Settings.Ports)
            {
                if (port.Bond is not null)
                {
                    yield return (bridge, port);
                }
            }
        }
    }

    private static (OpenedBridge Bridge, Fabric.Actors.Bridge.BridgePort Port)? FindBond(FabricNode node, string name)
    {
        foreach (var b in Bonds(node))
        {
            if (b.Port.Name == name)
            {
                return b;
            }
        }

        return null;
    }

    private static Task<ControlReply> List(FabricNode node)
    {
        var text = new StringBuilder("bond\ttype\trecircID\tmembers\n");
        foreach (var (_, port) in Bonds(node))
        {
            var bond = port.Bond!;
            text.Append(port.Name).Append('\t').Append(ModeName(bond.Mode)).Append("\t-1\t")
                .Append(string.Join(", ", bond.Members.Select(m => m.Name))).Append('\n');
        }

        return Task.FromResult(ControlReply.Ok(text.ToString().TrimEnd('\n')));
    }

    private static async Task<ControlReply> Show(FabricNode node, string? name)
    {
        if (name is not null && FindBond(node, name) is null)
        {
            return ControlReply.Error("no such bond");
        }

        var text = new StringBuilder();
        foreach (var (bridge, port) in Bonds(node))
        {
            if (name is not null && port.Name != name)
            {
                continue;
            }

            var reply = await bridge.Actor.Ask<object>(new BondProtocol.GetBondStatus(port.Name), AskTimeout).ConfigureAwait(false);
            if (reply is BondProtocol.BondStatus status)
            {
                text.Append(FormatShow(status)).Append('\n');
            }
        }

        return ControlReply.Ok(text.ToString().TrimEnd('\n'));
    }

    private static async Task<ControlReply> Migrate(FabricNode node, IReadOnlyList<string> a)
    {
        if (!int.TryParse(a[1], NumberStyles.None, CultureInfo.InvariantCulture, out var bucket) || bucket > 255)
        {
            return ControlReply.Error("bad hash");
        }

        return await Command(node, a[0], new BondProtocol.Migrate(a[0], bucket, a[2])).ConfigureAwait(false);
    }

    private static async Task<ControlReply> Command(FabricNode node, string bond, object message)
    {
        if (FindBond(node, bond) is not { } found)
        {
            return ControlReply.Error("no such bond");
        }

        var reply = await found.Bridge.Actor.Ask<BondProtocol.CommandResult>(message, AskTimeout).ConfigureAwait(false);
        return reply.Ok ? ControlReply.Ok(reply.Text) : ControlReply.Error(reply.Text);
    }

    private static ControlReply Hash(IReadOnlyList<string> a)
    {
        if (!FlowFormatter.TryParseMac(a[0], out var mac))
        {
            return ControlReply.Error("invalid mac");
        }

        var vlan = 0;
        if (a.Count > 1 && (!int.TryParse(a[1], NumberStyles.None, CultureInfo.InvariantCulture, out vlan) || vlan > 4095))
        {
            return ControlReply.Error("invalid vlan");
        }

        uint basis = 0;
        if (a.Count > 2 && !uint.TryParse(a[2], NumberStyles.None, CultureInfo.InvariantCulture, out basis))
        {
            return ControlReply.Error("invalid basis");
        }

        return ControlReply.Ok(BondHash.Bucket(BondHash.SlbHash(mac, vlan, basis)).ToString(CultureInfo.InvariantCulture));
    }

    private static async Task<ControlReply> Lacp(FabricNode node, string? name, bool stats)
    {
        if (name is not null && FindBond(node, name) is not { Port.Bond.Lacp: not LacpMode.Off })
        {
            return ControlReply.Error("no such port");
        }

        var text = new StringBuilder();
        foreach (var (bridge, port) in Bonds(node))
        {
            if ((name is not null && port.Name != name) || port.Bond!.Lacp == LacpMode.Off)
            {
                continue;
            }

            var reply = await bridge.Actor.Ask<object>(new BondProtocol.GetLacp(port.Name, stats), AskTimeout).ConfigureAwait(false);
            if (reply is BondProtocol.LacpText { Text: { } t })
            {
                text.Append(t);
                if (!t.EndsWith('\n'))
                {
                    text.Append('\n');
                }
            }
        }

        return ControlReply.Ok(text.ToString().TrimEnd('\n'));
    }
}
