using Fabric.Datapath.Actions;

namespace Fabric.Datapath.Forwarding;

/// <summary>A packet the slow path asked the datapath to execute (OVS dpif_execute): a private frame copy and its actions.</summary>
internal sealed record PacketOut(ushort InPort, byte[] Frame, DatapathActions Actions);
