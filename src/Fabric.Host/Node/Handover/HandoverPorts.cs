namespace Fabric.Host.Node.Handover;

/// <summary>The body of the <c>ports</c> message: the ports whose descriptors are attached, and where the journal stands.</summary>
/// <param name="Ports">The ports, in descriptor order.</param>
/// <param name="JournalSequenceNr">The sequence number of the snapshot the predecessor saved before it stopped journaling.</param>
/// <param name="Pid">The predecessor's process id.</param>
public sealed record HandoverPorts(IReadOnlyList<HandedOverPort> Ports, long JournalSequenceNr, int Pid);
