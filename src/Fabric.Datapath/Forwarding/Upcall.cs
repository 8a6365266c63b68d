using Fabric.Datapath.Flows;

namespace Fabric.Datapath.Forwarding;

/// <summary>
/// A packet that missed every megaflow (an OVS "miss" upcall, ovs-facts §3.3), handed to the slow path with
/// its flow key and a private copy of the frame. The slow path translates it, installs a megaflow and executes
/// the actions on the packet (<see cref="Datapath.Execute"/>).
/// </summary>
public sealed class Upcall
{
    /// <summary>Creates an upcall.</summary>
    public Upcall(ushort inPort, in FlowKey key, ReadOnlyMemory<byte> packet, long receivedMs, ushort tcpFlags = 0)
    {
        InPort = inPort;
        Key = key;
        Packet = packet;
        ReceivedMs = receivedMs;
        TcpFlags = tcpFlags;
    }

    /// <summary>Datapath port the packet arrived on.</summary>
    public ushort InPort { get; }

    /// <summary>The packet's full (unmasked) flow key.</summary>
    public FlowKey Key { get; }

    /// <summary>A copy of the frame, owned by the upcall.</summary>
    public ReadOnlyMemory<byte> Packet { get; }

    /// <summary>Unix time in ms when the poll thread received the packet.</summary>
    public long ReceivedMs { get; }

    /// <summary>TCP flags of the packet (12 bits; 0 for non-TCP).</summary>
    public ushort TcpFlags { get; }
}
