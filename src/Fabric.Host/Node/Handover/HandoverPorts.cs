namespace Fabric.Host.Node.Handover;

/// <summary>
/// The body of a <c>ports</c> message (a hand-over, or a keeper restarting a crashed node) and of a <c>deposit</c> (a node
/// giving its descriptors to its keeper): the ports whose descriptors are attached, and where the journal stands.
/// </summary>
/// <param name="Ports">The ports, in descriptor order.</param>
/// <param name="JournalSequenceNr">
/// The sequence number of the snapshot the predecessor saved before it stopped journaling; -1 when nobody handed the
/// journal over (a keeper, a deposit): the receiver recovers whatever the journal holds.
/// </param>
/// <param name="Pid">The process whose descriptors these were: the predecessor, the crashed node, or the depositing node.</param>
/// <param name="Keeper">Set by a keeper restarting a crashed node: who restarts it and how the node died.</param>
/// <param name="Tunnels">A hand-over's cluster tunnel ports (null from a keeper, which knows none: the tunnels then come back when the node has joined).</param>
public sealed record HandoverPorts(IReadOnlyList<HandedOverPort> Ports, long JournalSequenceNr, int Pid, KeeperRestart? Keeper = null, IReadOnlyList<HandedOverTunnel>? Tunnels = null);
