using Fabric.Datapath.Forwarding;

namespace Fabric.Host.Configuration;

/// <summary>Everything a node reads from its configuration (see hocon/fabric.conf for each setting's meaning and default).</summary>
public sealed record NodeSettings
{
    /// <summary>Actor system name (<c>fabric.node-name</c>).</summary>
    public required string NodeName { get; init; }

    /// <summary>State directory (<c>fabric.state-dir</c>).</summary>
    public required string StateDir { get; init; }

    /// <summary>Control socket path (<c>fabric.control.socket</c>).</summary>
    public required string ControlSocket { get; init; }

    /// <summary>Fast-path options (<c>fabric.datapath.*</c>, <c>fabric.upcall.flow-limit</c>).</summary>
    public required DatapathOptions Datapath { get; init; }

    /// <summary>How system (AF_PACKET) ports the node opens move frames (<c>fabric.datapath.af-packet-io</c>); handed-over ports keep their socket's.</summary>
    public Fabric.Datapath.Ports.AfPacketIo AfPacketIo { get; init; } = Fabric.Datapath.Ports.AfPacketIo.Mmsg;

    /// <summary>Megaflow idle time (<c>fabric.upcall.max-idle</c>).</summary>
    public required TimeSpan MaxIdle { get; init; }

    /// <summary>Revalidation interval (<c>fabric.upcall.max-revalidator</c>).</summary>
    public required TimeSpan RevalidateInterval { get; init; }

    /// <summary>Flow-table shards per bridge (<c>fabric.upcall.shards-per-bridge</c>).</summary>
    public required int ShardsPerBridge { get; init; }

    /// <summary>Journal and snapshot store (<c>fabric.persistence</c>).</summary>
    public required PersistenceSettings Persistence { get; init; }

    /// <summary>Whether <c>debug/crash</c> is allowed (<c>fabric.debug.fault-injection</c>).</summary>
    public required bool FaultInjection { get; init; }

    /// <summary>
    /// The file's <c>akka { }</c> section, merged over the reference and with its substitutions resolved, for the
    /// Akka.NET actor system: Fabric renders it to HOCON text and Akka parses that
    /// (<see cref="Akka.Configuration.ConfigurationFactory.ParseString(string)"/>), so every path of the section reads
    /// back from the root (<c>AkkaConfig.GetString("akka.loglevel")</c>). <see cref="Akka.Configuration.Config.Empty"/>
    /// when there is no <c>akka</c> section. Its keys are not checked: they are Akka's.
    /// </summary>
    public required Akka.Configuration.Config AkkaConfig { get; init; }

    /// <summary>How the node joins its cluster (<c>fabric.cluster</c>), or null when it runs alone (no seed nodes).</summary>
    public ClusterSettings? Cluster { get; init; }

    /// <summary>
    /// The node's VTEP address (<c>fabric.vtep</c>): the local address of VXLAN ports that set no <c>local_ip</c>;
    /// null when not configured.
    /// </summary>
    public System.Net.IPAddress? Vtep { get; init; }

    /// <summary>Bridges (<c>fabric.bridges</c>).</summary>
    public required IReadOnlyList<BridgeConfig> Bridges { get; init; }
}
