namespace Fabric.Kernel.Actor;

/// <summary>
/// Marker for messages the kernel handles before the actor's behavior (<see cref="PoisonPill"/>, <see cref="Kill"/>,
/// <see cref="Identify"/>, <see cref="Terminated"/>), as Akka.NET's <c>IAutoReceivedMessage</c>.
/// </summary>
public interface IAutoReceivedMessage
{
}
