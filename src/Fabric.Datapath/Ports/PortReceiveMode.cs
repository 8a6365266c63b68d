namespace Fabric.Datapath.Ports;

/// <summary>
/// How the frames a port's <see cref="IDatapathPort.Receive"/> returns are attributed to datapath ports, which tells a
/// poll thread what in_port to forward them with and whether to poll the port at all.
/// </summary>
public enum PortReceiveMode
{
    /// <summary>Every frame received is the port's own: its in_port is the port's datapath number (AF_PACKET, TAP, in-memory).</summary>
    Own,

    /// <summary>
    /// A demultiplexer: the port sets each slot's in_port itself (<see cref="Buffers.PacketBatch.SetInPort"/>) to the
    /// datapath port the frame belongs to (the VXLAN endpoint, whose datagrams belong to its tunnel ports).
    /// </summary>
    PerFrame,

    /// <summary>
    /// The port never receives: its frames arrive through another port that demultiplexes them (a VXLAN tunnel port,
    /// fed by its endpoint). Poll threads neither poll nor call <see cref="IDatapathPort.Receive"/> on it.
    /// </summary>
    None,
}
