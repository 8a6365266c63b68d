using Akka.Actor;

namespace Fabric.Actors.Cluster;

/// <summary>A bridge that spans the cluster: its name, its VNI (1..16777215) and its actor, told when its tunnels change.</summary>
public sealed record TunnelBridge(string Name, int Vni, IActorRef Actor);
