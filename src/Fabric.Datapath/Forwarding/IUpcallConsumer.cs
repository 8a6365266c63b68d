using Fabric.Datapath.Actions;

namespace Fabric.Datapath.Forwarding;

/// <summary>
/// The slow path's handler for the upcalls of the poll threads, called on the poll thread that missed
/// (<see cref="UpcallQueue.Attach"/>). It takes each upcall whatever it then does with it, and may translate it there and
/// then (OVS netdev: a PMD thread handles its own misses, dp_netdev_upcall). Implementations are thread-safe and never
/// block.
/// </summary>
public interface IUpcallConsumer
{
    /// <summary>
    /// Takes <paramref name="upcall"/>; returns actions that the poll thread executes on the missed packet at once, in its
    /// transmit batches as for a megaflow hit, or null when the slow path executes the packet itself later (a packet-out)
    /// or drops it.
    /// </summary>
    /// <param name="upcall">The miss; its <see cref="Upcall.Packet"/> is a private copy of the frame.</param>
    /// <param name="onPollThread">True when called by the poll thread that missed; false on any other thread (upcalls queued
    /// before the consumer was attached), where the result must be null.</param>
    DatapathActions? Consume(Upcall upcall, bool onPollThread);

    /// <summary>
    /// Called by each poll thread once it has sent what a loop iteration received (after its transmit batches are
    /// flushed): work the consumer put off for the iteration, such as waking the actors that take the upcalls, runs here,
    /// after the packets it translated have left.
    /// </summary>
    void AfterSend();
}
