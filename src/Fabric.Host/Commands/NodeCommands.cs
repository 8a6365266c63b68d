using System.Text;
using Fabric.Actors.Bridge;
using Fabric.Actors.Datapath;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Ports;
using Fabric.Datapath.Ports.Vxlan;
using Fabric.Host.Cli;
using Fabric.Host.Control;
using Fabric.Host.Node;
using Akka.Actor;

namespace Fabric.Host.Commands;

/// <summary>
/// The verbs a running node answers on its control socket, named as in ovs-vsctl / ovs-appctl:
/// show, fdb/show, fdb/flush, dpctl/dump-flows, dpctl/del-flows, dpctl/show, exit (and those of the bond, cluster,
/// poll-thread and memory commands).
/// </summary>
public static class NodeCommands
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Registers every verb of <paramref name="node"/> in <paramref name="registry"/>.</summary>
    public static void Register(ControlCommandRegistry registry, FabricNode node, Action<bool> exit)
    {
        registry.Register("show", "", "bridges, ports, VLAN settings and link state (ovs-vsctl show)", async (_, _) => ControlReply.Ok(await Show(node).ConfigureAwait(false)), 0, 0);
        registry.Register("fdb/show", "BRIDGE", "MAC learning table of BRIDGE", (a, _) => FdbShow(node, a[0]), 1, 1);
        registry.Register("fdb/flush", "[BRIDGE]", "forget learned MACs (of all bridges, or of BRIDGE)", (a, _) => FdbFlush(node, a.Count == 0 ? null : a[0]), 0, 1);
        registry.Register("dpctl/dump-flows", "[-m]", "megaflows in the datapath, one per line", (a, _) => DumpFlows(node, a), 0, 1);
        registry.Register("dpctl/del-flows", "", "delete every megaflow", (_, _) => DelFlows(node), 0, 0);
        registry.Register("dpctl/show", "", "datapath lookups, flows, masks and ports", (_, _) => Task.FromResult(ControlReply.Ok(DpShow(node))), 0, 0);
        registry.Register("upcall/show", "", "megaflow count and limit, revalidator dump duration, keys per shard", (_, _) => UpcallShow(node), 0, 0);
        registry.Register("persistence/show", "", "journal store, sequence numbers, last snapshot, write latency", (_, _) => PersistenceShow(node), 0, 0);
        registry.Register("debug/crash", "ACTOR-PATH", "make that actor throw (needs fabric.debug.fault-injection = on)", (a, _) => Crash(node, a[0]), 1, 1);
        BondCommands.Register(registry, node);
        ClusterCommands.Register(registry, node);
        PmdCommands.Register(registry, node);
        MemoryCommands.Register(registry, node);
        registry.Register("exit", "[--cleanup]", "stop the node (--cleanup: delete datapath flows first)", (a, _) => Exit(node, a, exit), 0, 1);
    }

    private static async Task<string> Show(FabricNode node)
    {
        var bridges = new List<ShowBridge>();
        foreach (var b in node.Bridges)
        {
            // The bridge's ports now: the configured ones and its enabled tunnel ports (a tunnel whose peer is
            // unreachable is not a bridge port meanwhile, and shows with link down and no OpenFlow number).
            var current = await b.Actor.Ask<BridgeSettings>(new BridgeProtocol.GetSettings(), AskTimeout).ConfigureAwait(false);
            var ports = current.Ports.Select(p => new ShowPort(
                p.Name,
                p.OfPort,
                p.DpPort,
                p.Type,
                p.Tag,
                p.Trunks.Order().ToArray(),
                VlanModeName(p),
                node.Datapath.GetPort(p.DpPort)?.CarrierUp ?? false)
            {
                Interfaces = p.Bond is { } bond
                    ? bond.Members.Select(m => new ShowInterface(m.Name, m.DpPort, node.Datapath.GetPort(m.DpPort)?.CarrierUp ?? false)).ToArray()
                    : [],
                Options = VxlanOptions(node.Datapath.GetPort(p.DpPort)) ?? new Dictionary<string, string>(),
            }).ToList();
            foreach (var t in node.Tunnels.Of(b.Settings.Name))
            {
                if (!ports.Any(p => p.Name == t.Name))
                {
                    ports.Add(new ShowPort(t.Name, 0, t.DpPort, "vxlan", null, [], null, false)
                    {
                        Options = VxlanOptions(node.Datapath.GetPort(t.DpPort)) ?? new Dictionary<string, string>(),
                    });
                }
            }

            bridges.Add(new ShowBridge(b.Settings.Name, ports));
        }

        return TableRenderer.FormatShow(new ShowModel(null, bridges)
        {
            Started = node.Start.StartedText,
            SwitchOver = node.Start.SwitchOverText,
            Keeper = node.Keeper is { } k ? $"pid {k.KeeperPid} ({k.SocketPath})" : null,
        });
    }

    private static string? VlanModeName(BridgePort p) => p.Mode switch
    {
        VlanMode.Access => p.Tag is null ? "access" : null,
        VlanMode.Trunk => null,
        VlanMode.NativeTagged => "native-tagged",
        _ => "native-untagged",
    };

    private static async Task<ControlReply> FdbShow(FabricNode node, string bridge)
    {
        if (node.FindBridge(bridge) is not { } b)
        {
            return ControlReply.Error($"no such bridge '{bridge}'");
        }

        var fdb = await b.Actor.Ask<BridgeProtocol.Fdb>(new BridgeProtocol.GetFdb(), AskTimeout).ConfigureAwait(false);
        var remote = fdb.Ports.Where(p => p.RemoteNode is not null).ToDictionary(p => p.OfPort, p => p.RemoteNode);
        var rows = fdb.Entries.Select(e => new FdbRow(
            fdb.Bridge,
            e.OfPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            e.Vlan,
            FlowFormatter.FormatMac(e.Mac),
            (int)Math.Max(0, (fdb.NowMs - e.LastSeenMs) / 1000),
            remote.GetValueOrDefault(e.OfPort)));
        return ControlReply.Ok(TableRenderer.FormatFdb(rows, multiBridge: false));
    }

    private static async Task<ControlReply> FdbFlush(FabricNode node, string? bridge)
    {
        var targets = bridge is null ? node.Bridges : node.FindBridge(bridge) is { } one ? new[] { one } : null;
        if (targets is null)
        {
            return ControlReply.Error($"no such bridge '{bridge}'");
        }

        foreach (var b in targets)
        {
            await b.Actor.Ask<BridgeProtocol.FdbFlushed>(new BridgeProtocol.FlushFdb(), AskTimeout).ConfigureAwait(false);
        }

        return ControlReply.Ok("table successfully flushed");
    }

    private static Task<ControlReply> DumpFlows(FabricNode node, IReadOnlyList<string> args)
    {
        var verbose = false;
        foreach (var a in args)
        {
            if (a is "-m" or "--more")
            {
                verbose = true;
            }
            else
            {
                return Task.FromResult(ControlReply.Error($"dpctl/dump-flows: unknown option '{a}' (expected -m)"));
            }
        }

        var now = node.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var ports = node.Datapath.Ports;
        var sb = new StringBuilder();

        // Decapsulation first, one row per attached VXLAN tunnel (not megaflows: they have no ufid).
        foreach (var row in VxlanFormatter.PopFlows(ports, Environment.TickCount64))
        {
            sb.Append(row).Append('\n');
        }

        foreach (var flow in node.Datapath.Flows.Snapshot())
        {
            if (verbose)
            {
                sb.Append("ufid:").Append(Ufid(flow.Id)).Append(", ");
            }

            sb.Append(flow.ToDumpString(now, ports)).Append('\n');
        }

        return Task.FromResult(ControlReply.Ok(sb.ToString().TrimEnd('\n')));
    }

    private static async Task<ControlReply> UpcallShow(FabricNode node)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("fabric@").Append(node.Settings.NodeName).Append(":\n");
        sb.Append("  flows         : (current ").Append(node.Datapath.Flows.Count).Append(") (limit ").Append(node.Datapath.Flows.FlowLimit).Append(")\n");
        var dumpMs = 0.0;
        var perShard = new StringBuilder();
        foreach (var b in node.Bridges)
        {
            for (var i = 0; i < b.Settings.Shards; i++)
            {
                var path = $"/user/{b.Settings.Name}/shard-{i}";
                var keys = "?";
                var upcalls = "?";
                if (await node.ResolveAsync(path).ConfigureAwait(false) is { } shard)
                {
                    var c = await shard.Ask<Fabric.Actors.Shards.ShardProtocol.ShardCounters>(new Fabric.Actors.Shards.ShardProtocol.GetCounters(), AskTimeout).ConfigureAwait(false);
                    dumpMs = Math.Max(dumpMs, c.LastSweepMs);
                    keys = c.Keys.ToString(inv);
                    upcalls = c.Upcalls.ToString(inv);
                }

                perShard.Append("  ").Append(b.Settings.Name).Append("/shard-").Append(i).Append(": (keys ").Append(keys).Append(") (upcalls ").Append(upcalls).Append(")\n");
            }
        }

        var lost = node.Datapath.Stats.Lost + node.Router.Lost;
        sb.Append("  dump duration : ").Append(Math.Ceiling(dumpMs).ToString(inv)).Append("ms\n");
        sb.Append("  upcall queue  : (current ").Append(node.Datapath.Upcalls.Count).Append(") (capacity ").Append(node.Datapath.Upcalls.Capacity).Append(") (lost ").Append(lost).Append(")\n\n");
        sb.Append(perShard);
        return ControlReply.Ok(sb.ToString().TrimEnd('\n'));
    }

    private static async Task<ControlReply> PersistenceShow(FabricNode node)
    {
        var st = await node.DatapathActor.Ask<DatapathProtocol.PersistenceStatus>(new DatapathProtocol.GetPersistenceStatus(), AskTimeout).ConfigureAwait(false);
        var j = st.Journal;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("started        : ").Append(node.Start.StartedText).Append('\n');
        sb.Append("switch-over    : ").Append(node.Start.SwitchOverText).Append('\n');
        sb.Append("process        : ").Append(ProcessText(node)).Append('\n');
        sb.Append("journal        : ").Append(node.JournalDescription).Append('\n');
        sb.Append("persistence id : ").Append(st.PersistenceId).Append('\n');
        sb.Append("sequence       : (last ").Append(st.LastSequenceNr).Append(") (snapshot ").Append(st.SnapshotSequenceNr).Append(") (changes since snapshot ").Append(st.ChangesSinceSnapshot).Append(")\n");
        sb.Append("last snapshot  : ").Append(st.LastSnapshotAt is { } at ? at.ToString("yyyy-MM-dd HH:mm:ss.fff", inv) + "Z" : "none this run").Append('\n');
        sb.Append("recovery       : (flows ").Append(st.RestoredFlows).Append(") (").Append(st.RecoveryTime.TotalMilliseconds.ToString("F0", inv)).Append("ms)\n");
        sb.Append("writes         : (events ").Append(j.Events).Append(") (changes ").Append(j.Changes).Append(") (pending ").Append(j.Pending).Append(") (failures ").Append(j.Failures).Append(")\n");
        sb.Append("write latency  : (last ").Append(j.LastWriteMs.ToString("F2", inv)).Append("ms) (avg ").Append(j.AverageWriteMs.ToString("F2", inv)).Append("ms) (max ").Append(j.MaxWriteMs.ToString("F2", inv)).Append("ms)");
        return ControlReply.Ok(sb.ToString());
    }

    /// <summary>"pid N, forwarding for X s; keeper pid K holds N port descriptors (SOCKET)" or "…; no keeper".</summary>
    private static string ProcessText(FabricNode node)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var text = string.Create(inv, $"pid {Environment.ProcessId}, forwarding for {node.ForwardingFor.TotalSeconds:F1} s; ");
        return text + (node.Keeper is { } k
            ? string.Create(inv, $"keeper pid {k.KeeperPid} holds {k.Kept} port descriptors ({k.SocketPath})")
            : "no keeper");
    }

    private static async Task<ControlReply> Crash(FabricNode node, string path)
    {
        if (!node.Settings.FaultInjection)
        {
            return ControlReply.Error("debug/crash: fault injection is off (set fabric.debug.fault-injection = on)");
        }

        if (await node.ResolveAsync(path).ConfigureAwait(false) is not { } actor)
        {
            return ControlReply.Error($"debug/crash: no actor at '{path}'");
        }

        actor.Tell(new Fabric.Actors.Diagnostics.InjectFault($"debug/crash {path}"), ActorRefs.NoSender);
        return ControlReply.Ok($"crash injected into {actor.Path.ToStringWithoutAddress()}");
    }

    /// <summary>A stable per-flow identifier in UUID form, as OVS prints with -m.</summary>
    private static string Ufid(long id)
    {
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes[8..], id);
        return new Guid(bytes).ToString();
    }

    private static async Task<ControlReply> DelFlows(FabricNode node)
    {
        await node.DatapathActor.Ask<DatapathProtocol.FlowsDeleted>(new DatapathProtocol.DeleteAllFlows(), AskTimeout).ConfigureAwait(false);
        return ControlReply.Ok("");
    }

    private static string DpShow(FabricNode node)
    {
        var s = node.Datapath.Stats;
        var ports = node.Datapath.Ports.OrderBy(p => p.Key).Select(p => new DpShowPort(p.Key, p.Value.Name, KindName(p.Value.Kind), VxlanOptions(p.Value))).ToArray();
        return TableRenderer.FormatDpShow(new DpShowModel(
            "fabric@" + node.Settings.NodeName,
            s.Hits,
            s.Missed,
            s.Lost + node.Router.Lost,
            node.Datapath.Flows.Count,
            s.MaskHits,
            node.Datapath.Flows.MaskCount,
            ports)
        {
            OffloadDropped = node.Datapath.Ports.Values.Sum(p => p.Counters.TxOffloadDropped),
        });
    }

    /// <summary>
    /// A VXLAN port's settings under OVS's option names: a tunnel's <c>key</c>, <c>local_ip</c>, <c>remote_ip</c> (and
    /// <c>dst_port</c> when not 4789), an endpoint's <c>local_ip</c> and <c>dst_port</c>; null for other ports.
    /// </summary>
    private static Dictionary<string, string>? VxlanOptions(IDatapathPort? port)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        switch (port)
        {
            case VxlanTunnelPort t:
                var options = new Dictionary<string, string>
                {
                    ["key"] = t.Vni.ToString(inv),
                    ["local_ip"] = t.Endpoint.Local.ToString(),
                    ["remote_ip"] = t.Remote.ToString(),
                };
                if (t.Endpoint.UdpPort != VxlanHeader.DefaultUdpPort)
                {
                    options["dst_port"] = t.Endpoint.UdpPort.ToString(inv);
                }

                return options;
            case VxlanEndpoint e:
                return new Dictionary<string, string> { ["dst_port"] = e.UdpPort.ToString(inv), ["local_ip"] = e.Local.ToString() };
            default:
                return null;
        }
    }

    private static string KindName(Fabric.Datapath.Ports.PortKind kind) => kind switch
    {
        Fabric.Datapath.Ports.PortKind.AfPacket => "system",
        Fabric.Datapath.Ports.PortKind.Tap => "tap",
        Fabric.Datapath.Ports.PortKind.Vxlan => "vxlan",
        _ => "dummy",
    };

    private static async Task<ControlReply> Exit(FabricNode node, IReadOnlyList<string> args, Action<bool> exit)
    {
        var cleanup = false;
        foreach (var a in args)
        {
            if (a == "--cleanup")
            {
                cleanup = true;
            }
            else
            {
                return ControlReply.Error($"exit: unknown option '{a}' (expected --cleanup)");
            }
        }

        if (cleanup && await node.CleanupAsync().ConfigureAwait(false) is { } error)
        {
            exit(cleanup);
            return ControlReply.Error($"exit --cleanup: flows deleted, but their persisted copy could not be: {error}");
        }

        exit(cleanup);
        return ControlReply.Ok("");
    }
}
