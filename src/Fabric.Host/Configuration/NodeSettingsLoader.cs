using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Fabric.Actors.Bridge;
using Fabric.Datapath.Forwarding;
using Fabric.Datapath.Ports;
using Fabric.Host.Configuration.Hocon;
using Npgsql;

namespace Fabric.Host.Configuration;

/// <summary>
/// Reads a node's configuration file over the embedded reference configuration (hocon/fabric.conf)
/// and validates all of it here, before anything starts: syntax, types, ranges (the datapath's own rules,
/// <see cref="DatapathOptions.FindError"/>), and unknown keys under <c>fabric</c> (keys under <c>akka</c> pass
/// through to Akka unchecked). Every error is a <see cref="ConfigException"/> whose message is one line,
/// <c>file:line:column: path: reason</c> (or <c>path: reason</c> when no position is known), e.g.
/// <c>fabric.conf:3:19: fabric.datapath.emc-entries: 100 is not a power of two in 2..1048576</c>.
/// </summary>
public static class NodeSettingsLoader
{
    /// <summary>The settings of one entry of <c>fabric.bridges</c>.</summary>
    public static IReadOnlyList<string> BridgeKeys { get; } = ["name", "mac-table-size", "mac-aging-time", "vni", "ports"];

    /// <summary>The settings of one entry of <c>fabric.bridges[i].ports</c>.</summary>
    public static IReadOnlyList<string> PortKeys { get; } =
    [
        "name", "type", "ofport", "tag", "trunks", "vlan-mode",
        "interfaces", "bond-mode", "lacp", "lacp-time", "lacp-fallback-ab", "lacp-system-id", "lacp-system-priority",
        "bond-updelay", "bond-downdelay", "bond-primary", "bond-rebalance-interval", "bond-detect-mode",
        "bond-miimon-interval", "bond-hash-basis", "all-members-active",
        "remote_ip", "key", "local_ip", "dst_port", "vnet-headers",
    ];

    /// <summary>The keys only a VXLAN port may carry (Open vSwitch's option names for type=vxlan).</summary>
    private static readonly string[] VxlanKeys = ["remote_ip", "key", "local_ip", "dst_port"];

    /// <summary>The reference configuration compiled into the executable (hocon/fabric.conf).</summary>
    public static ConfigDocument Reference { get; } = LoadReference();

    /// <summary>Loads and validates <paramref name="path"/>.</summary>
    /// <param name="path">The node's configuration file; includes are resolved against its directory.</param>
    /// <returns>The validated settings.</returns>
    /// <exception cref="ConfigException">An unreadable file, or a syntax, type, range or unknown-key error, with its position.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static NodeSettings LoadFile(string path) => FromConfig(ParseOverReference(path));

    /// <summary>
    /// Only <c>fabric.state-dir</c> of <paramref name="path"/> (over the reference file, so its default and
    /// <c>${?FABRIC_STATE_DIR}</c> apply), read with Fabric's HOCON reader and nothing else checked: what a keeper needs,
    /// which leaves the full validation to the node it starts.
    /// </summary>
    /// <param name="path">The node's configuration file.</param>
    /// <returns>The state directory.</returns>
    /// <exception cref="ConfigException">The file cannot be read or parsed, or the setting is not a string.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static string ReadStateDir(string path) => ParseOverReference(path).GetConfig("fabric").GetString("state-dir");

    private static ConfigDocument ParseOverReference(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"config file '{path}' does not exist", path);
        }

        return ConfigReader.ParseFile(path).WithFallback(Reference);
    }

    /// <summary>Builds settings from an already parsed configuration (falling back to the reference one).</summary>
    /// <param name="config">The parsed configuration.</param>
    /// <returns>The validated settings.</returns>
    /// <exception cref="ConfigException">A type, range or unknown-key error, with its position.</exception>
    public static NodeSettings FromConfig(ConfigDocument config)
    {
        config = config.WithFallback(Reference);
        if (config.Root.TryGetValue("fabric", out var given) && given is ConfigObject givenFabric
            && Reference.Root["fabric"] is ConfigObject referenceFabric)
        {
            UnknownSettings.Refuse(givenFabric, referenceFabric, ["fabric"]);
        }

        var f = config.GetConfig("fabric");
        var dp = f.GetConfig("datapath");
        var up = f.GetConfig("upcall");
        var options = new DatapathOptions
        {
            PollThreads = dp.GetInt("poll-threads"),
            BatchSize = dp.GetInt("batch-size"),
            PollTimeoutMs = WholeMilliseconds(dp.GetTimeSpan("poll-timeout", allowInfinite: false)),
            EmcEntries = dp.GetInt("emc-entries"),
            EmcInsertInvProb = dp.GetInt("emc-insert-inv-prob"),
            UpcallQueueCapacity = dp.GetInt("upcall-queue-size"),
            FlowLimit = up.GetInt("flow-limit"),
            VnetHeaders = dp.GetBoolean("vnet-headers"),
        };
        if (options.FindError() is { } invalid)
        {
            throw DatapathError(dp, up, invalid);
        }

        var afPacketIo = dp.GetString("af-packet-io") switch
        {
            "ring" => AfPacketIo.Ring,
            "ring-tx" => AfPacketIo.RingTx,
            "mmsg" => AfPacketIo.Mmsg,
            var other => throw Error(dp, "af-packet-io", "fabric.datapath", $"'{other}' is not one of: ring, ring-tx, mmsg"),
        };

        var defaults = f.GetConfig("bridge-defaults");
        var vtep = f.HasPath("vtep") ? UnicastIpv4(f, "vtep", "fabric") : null;
        var bridges = new List<BridgeConfig>();
        var names = new HashSet<string>();
        var portsInUse = new Dictionary<string, string>(StringComparer.Ordinal);
        var tunnelsInUse = new Dictionary<VxlanPortSettings, string>();
        var i = 0;
        foreach (var b in f.GetConfigList("bridges"))
        {
            var where = $"fabric.bridges[{i++}]";
            UnknownSettings.Refuse(b, BridgeKeys, where);
            var name = b.GetString("name", "");
            if (name.Length == 0 || !IsValidName(name))
            {
                throw Error(b, "name", where, $"bridge name '{name}' must be 1-15 letters, digits, '-' or '_'");
            }

            if (!names.Add(name))
            {
                throw Error(b, "name", where, $"bridge '{name}' is declared twice");
            }

            var macSize = b.HasPath("mac-table-size") ? b.GetInt("mac-table-size") : defaults.GetInt("mac-table-size");
            var aging = b.HasPath("mac-aging-time") ? b.GetTimeSpan("mac-aging-time") : defaults.GetTimeSpan("mac-aging-time");
            var vni = b.HasPath("vni") ? Range(b, "vni", 0, 0xff_ffff, where) : 0;
            if (vni != 0 && bridges.Find(other => other.Vni == vni) is { } same)
            {
                throw Error(b, "vni", where, $"vni {vni} is already bridge {same.Name}'s");
            }

            bridges.Add(new BridgeConfig(name, macSize, aging, Ports(b, where, portsInUse, vtep, tunnelsInUse), vni));
        }

        var cluster = Cluster(f.GetConfig("cluster"), vtep);

        return new NodeSettings
        {
            NodeName = f.GetString("node-name"),
            StateDir = f.GetString("state-dir"),
            ControlSocket = f.GetString("control.socket"),
            Datapath = options,
            AfPacketIo = afPacketIo,
            MaxIdle = Max(up.GetTimeSpan("max-idle"), TimeSpan.FromMilliseconds(500)),
            RevalidateInterval = Max(up.GetTimeSpan("max-revalidator"), TimeSpan.FromMilliseconds(100)),
            ShardsPerBridge = Range(up, "shards-per-bridge", 1, 64, "fabric.upcall"),
            Persistence = Persistence(f),
            FaultInjection = f.GetBoolean("debug.fault-injection"),
            AkkaConfig = AkkaSection(config),
            Cluster = cluster,
            Vtep = vtep,
            Bridges = bridges,
        };
    }

    /// <summary>The <c>fabric.cluster</c> section, or null when it names no seed nodes (the node runs alone); its VTEP defaults to <paramref name="nodeVtep"/> (<c>fabric.vtep</c>), then to the hostname.</summary>
    private static ClusterSettings? Cluster(ConfigDocument c, IPAddress? nodeVtep)
    {
        const string where = "fabric.cluster";
        var seedTexts = c.GetStringList("seed-nodes");
        if (seedTexts.Count == 0)
        {
            return null;
        }

        var hostText = c.GetString("hostname");
        if (!IPAddress.TryParse(hostText, out var host) || host.AddressFamily != AddressFamily.InterNetwork || host.Equals(IPAddress.Any))
        {
            if (hostText.Length == 0)
            {
                // Point at the seed nodes, the line that made the node clustered: the empty default is the reference file's.
                var at = c.GetValue("seed-nodes")?.Origin is { IsKnown: true } o ? o : c.Root.Origin;
                throw ConfigException.At(at, where + ".hostname", "a clustered node needs the IPv4 address Akka remoting binds and advertises");
            }

            throw Error(c, "hostname", where, $"'{hostText}' is not an IPv4 address of this host (Akka compares addresses literally: no names, no 0.0.0.0)");
        }

        var port = Range(c, "port", 1, 65535, where);
        var seeds = new List<IPEndPoint>();
        foreach (var text in seedTexts)
        {
            if (!IPEndPoint.TryParse(text, out var seed) || seed.AddressFamily != AddressFamily.InterNetwork || seed.Port == 0)
            {
                throw Error(c, "seed-nodes", where, $"seed node '{text}' is not IPv4-ADDRESS:PORT");
            }

            seeds.Add(seed);
        }

        var vtepText = c.GetString("vtep");
        var vtep = nodeVtep ?? host;
        if (vtepText.Length > 0 && (!IPAddress.TryParse(vtepText, out vtep!) || vtep.AddressFamily != AddressFamily.InterNetwork))
        {
            throw Error(c, "vtep", where, $"'{vtepText}' is not an IPv4 address");
        }

        var heartbeat = c.GetTimeSpan("heartbeat-interval", allowInfinite: false);
        var pause = c.GetTimeSpan("acceptable-heartbeat-pause", allowInfinite: false);
        var stable = c.GetTimeSpan("stable-after", allowInfinite: false);
        if (heartbeat <= TimeSpan.Zero)
        {
            throw Error(c, "heartbeat-interval", where, "must be positive");
        }

        if (stable <= TimeSpan.Zero)
        {
            throw Error(c, "stable-after", where, "must be positive (Akka's split-brain resolver)");
        }

        return new ClusterSettings
        {
            Hostname = host,
            Port = port,
            SeedNodes = seeds,
            Vtep = vtep,
            VxlanPort = Range(c, "vxlan-port", 1, 65535, where),
            HeartbeatInterval = heartbeat,
            AcceptableHeartbeatPause = pause,
            StableAfter = stable,
            RejoinAfter = c.GetTimeSpan("rejoin-after", allowInfinite: false),
        };
    }

    /// <summary>
    /// The <c>akka</c> section as Akka's own <see cref="Akka.Configuration.Config"/>: rendered by Fabric (quoted strings and
    /// keys, no substitutions left), so Akka's parser only ever sees well-formed text.
    /// </summary>
    private static Akka.Configuration.Config AkkaSection(ConfigDocument config)
    {
        var section = config.GetConfig("akka");
        return section.IsEmpty
            ? Akka.Configuration.Config.Empty
            : Akka.Configuration.ConfigurationFactory.ParseString("akka " + section);
    }

    private static PersistenceSettings Persistence(ConfigDocument fabric)
    {
        const string where = "fabric.persistence";
        var p = fabric.GetConfig("persistence");
        var pluginText = p.GetString("plugin");
        var plugin = pluginText switch
        {
            "sqlite" => PersistencePlugin.Sqlite,
            "postgresql" => PersistencePlugin.PostgreSql,
            _ => throw Error(p, "plugin", where, $"'{pluginText}' is not one of: sqlite, postgresql"),
        };

        var sqlitePath = p.HasPath("sqlite.path") ? p.GetString("sqlite.path") : Path.Combine(fabric.GetString("state-dir"), "fabric.db");
        if (string.IsNullOrWhiteSpace(sqlitePath) || sqlitePath.Contains('\0', StringComparison.Ordinal) || sqlitePath.EndsWith('/'))
        {
            throw Error(p, "sqlite.path", where, $"expected a database file path, got '{sqlitePath}'");
        }

        var connectionString = p.GetString("postgresql.connection-string");
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw Error(p, "postgresql.connection-string", where, "invalid connection string: " + ConnectionStringProblem(e));
        }

        return new PersistenceSettings
        {
            Plugin = plugin,
            SqlitePath = sqlitePath,
            PostgresConnectionString = connectionString,
            SnapshotEvery = Range(p, "snapshot-every", 1, int.MaxValue, where),
            SnapshotInterval = p.GetTimeSpan("snapshot-interval", allowInfinite: false),
        };
    }

    /// <summary>What <c>NpgsqlConnectionStringBuilder</c> objected to, in one line ("unknown keyword 'hots'", "bad value for 'port': …").</summary>
    private static string ConnectionStringProblem(ArgumentException e) => e.InnerException switch
    {
        KeyNotFoundException => $"unknown keyword '{e.ParamName}'",
        { } inner => $"bad value for '{e.ParamName}': {FirstLine(inner.Message)}",
        null => FirstLine(e.Message),
    };

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].TrimEnd();
        var parameter = line.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return parameter > 0 ? line[..parameter] : line;
    }

    /// <summary>The ports of one bridge.</summary>
    /// <param name="bridge">The bridge entry.</param>
    /// <param name="where">The bridge's path, e.g. <c>fabric.bridges[0]</c>.</param>
    /// <param name="portsInUse">Interface names of all bridges so far, with the path that declared each.</param>
    /// <param name="vtep">The node's VTEP (<c>fabric.vtep</c>), the default <c>local_ip</c> of VXLAN ports; null when unset.</param>
    /// <param name="tunnelsInUse">The VXLAN tunnels of all bridges so far, with the path that declared each.</param>
    private static IReadOnlyList<PortSettings> Ports(ConfigDocument bridge, string where, Dictionary<string, string> portsInUse, IPAddress? vtep, Dictionary<VxlanPortSettings, string> tunnelsInUse)
    {
        var ports = new List<PortSettings>();
        var ofports = new HashSet<int>();
        var j = 0;
        foreach (var p in bridge.GetConfigList("ports"))
        {
            var at = $"{where}.ports[{j++}]";
            UnknownSettings.Refuse(p, PortKeys, at);
            var name = p.GetString("name", "");
            if (!IsValidName(name))
            {
                throw Error(p, "name", at, $"interface name '{name}' must be 1-15 letters, digits, '-', '_' or '.'");
            }

            var type = p.GetString("type", p.HasPath("interfaces") ? "bond" : "system");
            if (type is not ("system" or "tap" or "bond" or "vxlan"))
            {
                throw Error(p, "type", at, $"port type '{type}' is not one of: system, tap, bond, vxlan");
            }

            IReadOnlyList<string> interfaces = type == "bond" ? BondInterfaces(p, at) : [name];
            if (type != "bond" && BondKeys.FirstOrDefault(p.HasPath) is { } stray)
            {
                throw Error(p, stray, at, $"'{stray}' applies to bonds only (type = bond with interfaces)");
            }

            if (type != "vxlan" && VxlanKeys.FirstOrDefault(p.HasPath) is { } strayVxlan)
            {
                throw Error(p, strayVxlan, at, $"'{strayVxlan}' applies to vxlan ports only (type = vxlan)");
            }

            var vxlan = type == "vxlan" ? VxlanOf(p, at, vtep) : null;
            if (vxlan is not null && !tunnelsInUse.TryAdd(vxlan, at))
            {
                throw Error(p, "remote_ip", at, $"a vxlan port from {vxlan.LocalIp}:{vxlan.DstPort} to {vxlan.RemoteIp} with key {vxlan.Key} is already {tunnelsInUse[vxlan]}");
            }

            if (!portsInUse.TryAdd(name, at))
            {
                throw Error(p, "name", at, $"{(type == "bond" ? "port" : "interface")} '{name}' is already used by {portsInUse[name]}");
            }

            foreach (var member in interfaces)
            {
                if (member != name && !portsInUse.TryAdd(member, at))
                {
                    throw Error(p, "interfaces", at, $"interface '{member}' is already used by {portsInUse[member]}");
                }
            }

            int? ofport = p.HasPath("ofport") ? p.GetInt("ofport") : null;
            if (ofport is < 1 or > 65279)
            {
                throw Error(p, "ofport", at, $"ofport {ofport} is outside 1..65279");
            }

            if (ofport is int o && !ofports.Add(o))
            {
                throw Error(p, "ofport", at, $"ofport {o} is used twice in the bridge");
            }

            int? tag = p.HasPath("tag") ? p.GetInt("tag") : null;
            if (tag is < 0 or > 4095)
            {
                throw Error(p, "tag", at, $"VLAN {tag} is outside 0..4095");
            }

            var trunks = new HashSet<int>();
            if (p.HasPath("trunks"))
            {
                foreach (var t in p.GetStringList("trunks"))
                {
                    if (!int.TryParse(t, out var v) || v is < 0 or > 4095)
                    {
                        throw Error(p, "trunks", at, $"trunk VLAN '{t}' is not a number in 0..4095");
                    }

                    trunks.Add(v);
                }
            }

            var modeText = p.GetString("vlan-mode", tag is null ? "trunk" : "access");
            VlanMode mode = modeText switch
            {
                "access" => VlanMode.Access,
                "trunk" => VlanMode.Trunk,
                "native-tagged" => VlanMode.NativeTagged,
                "native-untagged" => VlanMode.NativeUntagged,
                _ => throw Error(p, "vlan-mode", at, $"vlan-mode '{modeText}' is not one of: access, trunk, native-tagged, native-untagged"),
            };
            if (mode is VlanMode.NativeTagged or VlanMode.NativeUntagged)
            {
                // OVS forces the native VLAN into the trunk set and removes VLAN 0 from it (ovs-facts §2.3).
                if (tag is int native && trunks.Count > 0)
                {
                    trunks.Add(native);
                }

                trunks.Remove(0);
            }

            if (type == "bond" && interfaces.Count == 1)
            {
                // OVS: a port with one interface is an ordinary port, whatever bond settings it carries.
                ports.Add(new PortSettings(interfaces[0], "system", ofport, mode, tag, trunks));
                continue;
            }

            ports.Add(new PortSettings(name, type, ofport, mode, tag, trunks)
            {
                VnetHeaders = p.HasPath("vnet-headers") ? p.GetBoolean("vnet-headers") : null,
                Interfaces = type == "vxlan" ? [] : interfaces,
                Bond = type == "bond" ? BondOf(p, at, interfaces) : null,
                Vxlan = vxlan,
            });
        }

        return ports;
    }

    /// <summary>The keys only a bond may carry.</summary>
    private static readonly string[] BondKeys =
    [
        "interfaces", "bond-mode", "lacp", "lacp-time", "lacp-fallback-ab", "lacp-system-id", "lacp-system-priority",
        "bond-updelay", "bond-downdelay", "bond-primary", "bond-rebalance-interval", "bond-detect-mode",
        "bond-miimon-interval", "bond-hash-basis", "all-members-active",
    ];

    private static IReadOnlyList<string> BondInterfaces(ConfigDocument p, string at)
    {
        if (!p.HasPath("interfaces"))
        {
            throw Error(p, "type", at, "a bond needs interfaces = [a, b, ...]");
        }

        var list = p.GetStringList("interfaces");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in list)
        {
            if (!IsValidName(i))
            {
                throw Error(p, "interfaces", at, $"interface name '{i}' must be 1-15 letters, digits, '-', '_' or '.'");
            }

            if (!seen.Add(i))
            {
                throw Error(p, "interfaces", at, $"interface '{i}' is listed twice");
            }
        }

        if (list.Count == 0)
        {
            throw Error(p, "interfaces", at, "a bond needs at least one interface");
        }

        return list;
    }

    /// <summary>A bond's settings with OVS's defaults and clamping (ovs-facts §1.1, §1.9).</summary>
    private static Fabric.Actors.Bonds.BondSettings BondOf(ConfigDocument p, string at, IReadOnlyList<string> interfaces)
    {
        T Choice<T>(string key, string @default, params (string Text, T Value)[] choices)
        {
            var text = p.GetString(key, @default);
            foreach (var (t, v) in choices)
            {
                if (t == text)
                {
                    return v;
                }
            }

            throw Error(p, key, at, $"'{text}' is not one of: {string.Join(", ", choices.Select(c => c.Text))}");
        }

        TimeSpan Delay(string key, TimeSpan @default)
        {
            var d = p.HasPath(key) ? p.GetTimeSpan(key, allowInfinite: false) : @default;
            return d < TimeSpan.Zero ? TimeSpan.Zero : d;
        }

        var mode = Choice("bond-mode", "active-backup", ("active-backup", Fabric.Datapath.Bonds.BondMode.ActiveBackup), ("balance-slb", Fabric.Datapath.Bonds.BondMode.BalanceSlb), ("balance-tcp", Fabric.Datapath.Bonds.BondMode.BalanceTcp));
        var lacp = Choice("lacp", "off", ("off", Fabric.Actors.Bonds.Lacp.LacpMode.Off), ("active", Fabric.Actors.Bonds.Lacp.LacpMode.Active), ("passive", Fabric.Actors.Bonds.Lacp.LacpMode.Passive));
        var lacpTime = Choice("lacp-time", "slow", ("slow", Fabric.Actors.Bonds.Lacp.LacpTime.Slow), ("fast", Fabric.Actors.Bonds.Lacp.LacpTime.Fast));
        var detect = Choice("bond-detect-mode", "carrier", ("carrier", Fabric.Actors.Bonds.BondDetectMode.Carrier), ("miimon", Fabric.Actors.Bonds.BondDetectMode.Miimon));
        string? primary = p.HasPath("bond-primary") ? p.GetString("bond-primary") : null;
        if (primary is not null && !interfaces.Contains(primary))
        {
            throw Error(p, "bond-primary", at, $"'{primary}' is not one of the bond's interfaces ({string.Join(", ", interfaces)})");
        }

        ulong systemId = 0;
        if (p.HasPath("lacp-system-id"))
        {
            var text = p.GetString("lacp-system-id");
            if (!TryParseMac(text, out systemId) || systemId == 0)
            {
                throw Error(p, "lacp-system-id", at, $"'{text}' is not a non-zero MAC address like aa:bb:cc:dd:ee:ff");
            }
        }

        var priority = p.HasPath("lacp-system-priority") ? Range(p, "lacp-system-priority", 1, 65535, at) : 0;
        var basis = p.HasPath("bond-hash-basis") ? p.GetLong("bond-hash-basis") : 0;
        if (basis is < 0 or > uint.MaxValue)
        {
            throw Error(p, "bond-hash-basis", at, $"{basis} is outside 0..4294967295");
        }

        var miimon = Delay("bond-miimon-interval", TimeSpan.FromMilliseconds(200));
        return new Fabric.Actors.Bonds.BondSettings
        {
            BondId = 0,
            Members = [],
            Mode = mode,
            Lacp = lacp,
            LacpTime = lacpTime,
            LacpFallbackAb = p.GetBoolean("lacp-fallback-ab", false),
            LacpSystemId = systemId,
            LacpSystemPriority = priority,
            UpDelay = Delay("bond-updelay", TimeSpan.Zero),
            DownDelay = Delay("bond-downdelay", TimeSpan.Zero),
            Primary = primary,
            RebalanceInterval = Delay("bond-rebalance-interval", TimeSpan.FromSeconds(10)),
            DetectMode = detect,
            MiimonInterval = miimon <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(200) : miimon,
            HashBasis = (uint)basis,
            AllMembersActive = p.GetBoolean("all-members-active", false),
        };
    }

    /// <summary>
    /// A VXLAN port's tunnel, with OVS's option names and defaults: <c>remote_ip</c> (required), <c>key</c> (the VNI,
    /// 0..16777215, default 0), <c>local_ip</c> (default <paramref name="vtep"/>; one of them is required) and
    /// <c>dst_port</c> (default 4789). OVS's <c>flow</c> values (chosen per flow by OpenFlow actions) are refused.
    /// </summary>
    private static VxlanPortSettings VxlanOf(ConfigDocument p, string at, IPAddress? vtep)
    {
        if (!p.HasPath("remote_ip"))
        {
            throw Error(p, "remote_ip", at, "a vxlan port needs remote_ip (the remote VTEP's IPv4 address)");
        }

        var remote = UnicastIpv4(p, "remote_ip", at);
        var local = p.HasPath("local_ip") ? UnicastIpv4(p, "local_ip", at)
            : vtep ?? throw Error(p, "local_ip", at, "a vxlan port needs local_ip (the local VTEP's IPv4 address), or set fabric.vtep");
        if (remote.Equals(local))
        {
            throw Error(p, "remote_ip", at, $"remote_ip {remote} is the local VTEP itself");
        }

        if (p.HasPath("key") && p.GetString("key") == "flow")
        {
            throw Error(p, "key", at, "key = flow (a VNI set per flow) is not supported; give the VNI, 0..16777215");
        }

        var key = p.HasPath("key") ? p.GetLong("key") : 0;
        if (key is < 0 or > Fabric.Datapath.Ports.Vxlan.VxlanHeader.MaxVni)
        {
            throw Error(p, "key", at, $"VNI {key} is outside 0..16777215 (24 bits, RFC 7348)");
        }

        var dstPort = p.HasPath("dst_port") ? Range(p, "dst_port", 1, 65535, at) : Fabric.Datapath.Ports.Vxlan.VxlanHeader.DefaultUdpPort;
        return new VxlanPortSettings(local, remote, (uint)key, dstPort);
    }

    /// <summary>
    /// The value at <paramref name="key"/> as a unicast IPv4 address in dotted-quad form (four decimal parts); anything
    /// else, a bare number such as "10" included, is an error at the value.
    /// </summary>
    private static IPAddress UnicastIpv4(ConfigDocument c, string key, string where)
    {
        var text = c.GetString(key);
        var parts = text.Split('.');
        var bytes = new byte[4];
        var ok = parts.Length == 4;
        for (var i = 0; ok && i < 4; i++)
        {
            ok = parts[i].Length is > 0 and <= 3 && parts[i].All(char.IsAsciiDigit) && byte.TryParse(parts[i], System.Globalization.CultureInfo.InvariantCulture, out bytes[i]);
        }

        if (!ok || bytes[0] == 0 || bytes[0] >= 224)
        {
            throw Error(c, key, where, $"'{text}' is not a unicast IPv4 address like 10.9.0.1");
        }

        return new IPAddress(bytes);
    }

    private static bool TryParseMac(string text, out ulong mac)
    {
        mac = 0;
        var parts = text.Split(':');
        if (parts.Length != 6)
        {
            return false;
        }

        foreach (var part in parts)
        {
            if (part.Length is 0 or > 2 || !byte.TryParse(part, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var b))
            {
                return false;
            }

            mac = (mac << 8) | b;
        }

        return true;
    }

    private static int Range(ConfigDocument c, string key, int min, int max, string where)
    {
        var v = c.GetInt(key);
        if (v < min || v > max)
        {
            throw Error(c, key, where, $"{v} is outside {min}..{max}");
        }

        return v;
    }

    /// <summary>
    /// Points a datapath rule violation (<see cref="DatapathOptions.FindError"/>, the datapath's own rules) at the
    /// setting it was read from.
    /// </summary>
    private static ConfigException DatapathError(ConfigDocument dp, ConfigDocument up, DatapathOptionError error) => error.Option switch
    {
        nameof(DatapathOptions.PollThreads) => Error(dp, "poll-threads", "fabric.datapath", error.Reason),
        nameof(DatapathOptions.BatchSize) => Error(dp, "batch-size", "fabric.datapath", error.Reason),
        nameof(DatapathOptions.PollTimeoutMs) => Error(dp, "poll-timeout", "fabric.datapath", error.Reason),
        nameof(DatapathOptions.EmcEntries) => Error(dp, "emc-entries", "fabric.datapath", error.Reason),
        nameof(DatapathOptions.EmcInsertInvProb) => Error(dp, "emc-insert-inv-prob", "fabric.datapath", error.Reason),
        nameof(DatapathOptions.UpcallQueueCapacity) => Error(dp, "upcall-queue-size", "fabric.datapath", error.Reason),
        nameof(DatapathOptions.FlowLimit) => Error(up, "flow-limit", "fabric.upcall", error.Reason),
        _ => new ConfigException($"fabric.datapath: {error.Option} {error.Reason}"),
    };

    /// <summary>A duration in whole milliseconds, rounded up (so 100us is 1 ms, not 0) and capped at <see cref="int.MaxValue"/>.</summary>
    private static int WholeMilliseconds(TimeSpan duration) => (int)Math.Min(Math.Ceiling(duration.TotalMilliseconds), int.MaxValue);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static bool IsValidName(string name) =>
        name.Length is > 0 and <= 15 && name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.');

    /// <summary>
    /// <c>file:line:column: where.key: what</c>, at the key's value, or at the object holding it when the key is
    /// missing (a bridge without a name), or <c>where.key: what</c> when neither has a position.
    /// </summary>
    private static ConfigException Error(ConfigDocument c, string key, string where, string what) =>
        ConfigException.At(c.GetValue(key)?.Origin is { IsKnown: true } origin ? origin : c.Root.Origin, $"{where}.{key}", what);

    private static ConfigDocument LoadReference()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("fabric.conf")
            ?? throw new InvalidOperationException("the reference configuration fabric.conf is not embedded in the executable");
        using var reader = new StreamReader(stream);
        return ConfigReader.ParseString(reader.ReadToEnd(), "fabric.conf (reference)");
    }
}
