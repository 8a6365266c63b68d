using Fabric.Integration.Tests.Lab;

namespace Fabric.Integration.Tests.Cluster;

/// <summary>
/// One hypervisor of a <see cref="ClusterLab"/>: a network namespace with its underlay interface (eth0), a
/// <c>fabric run</c> process clustered on the underlay address, and two VMs (namespaces) behind it, one per tenant.
/// </summary>
public sealed class ClusterLabNode
{
    /// <summary>1-based index (node name <c>hvN</c>).</summary>
    public required int Index { get; init; }

    /// <summary>Node name, <c>hvN</c>.</summary>
    public string Name => $"hv{Index}";

    /// <summary>The hypervisor's network namespace.</summary>
    public required string Namespace { get; init; }

    /// <summary>Its underlay address: Akka remoting's hostname and the VTEP.</summary>
    public required string UnderlayIp { get; init; }

    /// <summary>Its control socket.</summary>
    public required string Socket { get; init; }

    /// <summary>Its configuration file.</summary>
    public required string ConfigPath { get; init; }

    /// <summary>Its log file.</summary>
    public required string LogPath { get; init; }

    /// <summary>The VM of tenant A (bridge bra, VNI 100).</summary>
    public required LabHost TenantA { get; init; }

    /// <summary>The VM of tenant B (bridge brb, VNI 200).</summary>
    public required LabHost TenantB { get; init; }

    /// <summary>A second VM of tenant A on this hypervisor (bridge bra), when the lab was asked for one; else null.</summary>
    public LabHost? TenantA2 { get; init; }

    /// <summary>The running fabric process, or null while stopped.</summary>
    public FabricNodeProcess? Process { get; set; }

    /// <summary>The hypervisor's underlay interface as a capture point (<see cref="Capture"/> listens on eth0).</summary>
    public LabHost Underlay => new(Namespace, "eth0", UnderlayIp, "", false, null);
}
