using Fabric.Datapath.Buffers;
using Fabric.Datapath.Ports;

namespace Fabric.Benchmarks;

/// <summary>
/// A benchmark output port that accepts and discards every frame, counting them in the sending poll thread's row of
/// <see cref="Counters"/>. It never receives (<see cref="PortReceiveMode.None"/>), so it loads no poll thread.
/// </summary>
internal sealed class SinkPort(string name) : IDatapathPort
{
    public string Name { get; } = name;

    public PortKind Kind => PortKind.Memory;

    public int PollFd => -1;

    public bool CarrierUp => true;

    public ulong MacAddress => 0;

    public PortCounters Counters { get; } = new();

    public PortReceiveMode ReceiveMode => PortReceiveMode.None;

    public int Receive(PacketBatch batch)
    {
        batch.Clear();
        return 0;
    }

    public int Send(PacketBatch batch)
    {
        Counters.AddTx(batch.Writer, batch.Count, (long)batch.Count * 64);
        return batch.Count;
    }

    public void Dispose()
    {
    }
}
