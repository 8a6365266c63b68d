using Akka.Actor;
using Fabric.Actors.Bridge;

namespace Fabric.Host.Node;

/// <summary>A running bridge: its resolved settings and its actor.</summary>
/// <param name="Settings">Ports with their OpenFlow and datapath numbers.</param>
/// <param name="Actor">The bridge actor.</param>
public sealed record OpenedBridge(BridgeSettings Settings, IActorRef Actor);
