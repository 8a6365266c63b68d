namespace Fabric.Actors.Cluster;

/// <summary>
/// Marks a Fabric message that may travel between nodes. Such messages are serialized with Hyperion, and only the
/// types that carry this marker are on Hyperion's allow-list (<c>allowed-types</c>), so a peer cannot make a node
/// deserialize anything else (akka-notes §5). Persisted events never use it: they are protobuf.
/// </summary>
public interface IClusterMessage;
