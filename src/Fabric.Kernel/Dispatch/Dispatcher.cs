namespace Fabric.Kernel.Dispatch;

/// <summary>
/// Runs mailboxes on the .NET thread pool; each run processes up to <see cref="Throughput"/> user messages then yields
/// (Akka default-dispatcher, actor-semantics §2.1).
/// </summary>
internal sealed class Dispatcher(int throughput)
{
    public int Throughput { get; } = throughput > 0 ? throughput : throw new ArgumentOutOfRangeException(nameof(throughput));

    public void Schedule(Mailbox mailbox) => ThreadPool.UnsafeQueueUserWorkItem(mailbox, preferLocal: false);
}
