namespace Fabric.Kernel.Actor;

/// <summary>
/// Marker for messages that do not reset the receive-timeout idle timer (Akka.NET <c>INotInfluenceReceiveTimeout</c>,
/// actor-semantics §5).
/// </summary>
public interface INotInfluenceReceiveTimeout
{
}
