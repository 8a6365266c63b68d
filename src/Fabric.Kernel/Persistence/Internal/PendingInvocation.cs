using Fabric.Kernel.Actor;

namespace Fabric.Kernel.Persistence.Internal;

/// <summary>
/// INTERNAL API. A persist (or defer) handler waiting for its journal confirmation, in call order.
/// </summary>
/// <param name="Event">The event as given to <c>Persist</c>.</param>
/// <param name="Handler">The user's handler.</param>
/// <param name="Sender">The sender of the command that called <c>Persist</c>; the handler sees it as <c>Sender</c>.</param>
/// <param name="Stashing">True for <c>Persist</c>/<c>PersistAll</c>: commands are stashed until it ran.</param>
/// <param name="Deferred">True for <c>DeferAsync</c>: nothing is written, it runs after the preceding invocations.</param>
/// <param name="SequenceNr">The event's sequence number (0 for deferred).</param>
internal sealed record PendingInvocation(object Event, Action<object> Handler, IActorRef Sender, bool Stashing, bool Deferred, long SequenceNr);
