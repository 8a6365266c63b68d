using System.Reflection;
using Fabric.Actors.Bridge;
using Fabric.Datapath.Forwarding;
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
    public static IReadOnlyList<string> BridgeKeys { get; } = ["name", "mac-table-size", "mac-aging-time", "ports"];

    /// <summary>The settings of one entry of <c>fabric.bridges[i].ports</c>.</summary>
    public static IReadOnlyList<string> PortKeys { get; } = ["name", "type", "ofport", "tag", "trunks", "vlan-mode"];

    /// <summary>The reference configuration compiled into the executable (hocon/fabric.conf).</summary>
    public static ConfigDocument Reference { get; } = LoadReference();

    /// <summary>Loads and validates <paramref name="path"/>.</summary>
    /// <param name="path">The node's configuration file; includes are resolved against its directory.</param>
    /// <returns>The validated settings.</returns>
    /// <exception cref="ConfigException">An unreadable file, or a syntax, type, range or unknown-key error, with its position.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static NodeSettings LoadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"config file '{path}' does not exist", path);
        }

        return FromConfig(ConfigReader.ParseFile(path).WithFallback(Reference));
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
        };
        if (options.FindError() is { } invalid)
        {
            throw DatapathError(dp, up, invalid);
        }

        var defaults = f.GetConfig("bridge-defaults");
        var bridges = new List<BridgeConfig>();
        var names = new HashSet<string>();
        var portsInUse = new Dictionary<string, string>(StringComparer.Ordinal);
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
            bridges.Add(new BridgeConfig(name, macSize, aging, Ports(b, where, portsInUse)));
        }

        return new NodeSettings
        {
            NodeName = f.GetString("node-name"),
            StateDir = f.GetString("state-dir"),
            ControlSocket = f.GetString("control.socket"),
            Datapath = options,
            MaxIdle = Max(up.GetTimeSpan("max-idle"), TimeSpan.FromMilliseconds(500)),
            RevalidateInterval = Max(up.GetTimeSpan("max-revalidator"), TimeSpan.FromMilliseconds(100)),
            ShardsPerBridge = Range(up, "shards-per-bridge", 1, 64, "fabric.upcall"),
            Persistence = Persistence(f),
            FaultInjection = f.GetBoolean("debug.fault-injection"),
            AkkaConfig = AkkaSection(config),
            Bridges = bridges,
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
    private static IReadOnlyList<PortSettings> Ports(ConfigDocument bridge, string where, Dictionary<string, string> portsInUse)
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

            if (!portsInUse.TryAdd(name, at))
            {
                throw Error(p, "name", at, $"interface '{name}' is already used by {portsInUse[name]}");
            }

            var type = p.GetString("type", "system");
            if (type is not ("system" or "tap"))
            {
                throw Error(p, "type", at, $"port type '{type}' is not one of: system, tap");
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

            ports.Add(new PortSettings(name, type, ofport, mode, tag, trunks));
        }

        return ports;
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
