using Fabric.Datapath.Buffers;
using Fabric.Datapath.Ports;

namespace Fabric.Datapath.Tests.Offloads;

/// <summary>A port that says it carries vnet headers; frames queued for it stay in the output batch for inspection.</summary>
internal sealed class VnetTestPort(string name) : IDatapathPort
{
    public string Name { get; } = name;

    public PortKind Kind => PortKind.Memory;

    public int PollFd => -1;

    public bool CarrierUp => true;

    public ulong MacAddress => 0;

    public PortCounters Counters { get; } = new();

    public bool VnetHeaders => true;

    public int Receive(PacketBatch batch)
    {
        batch.Count = 0;
        return 0;
    }

    public int Send(PacketBatch batch) => batch.Count;

    public void Dispose()
    {
    }
}
