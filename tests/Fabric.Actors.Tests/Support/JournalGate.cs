using Akka.Persistence;
using Akka.Persistence.TestKit;

namespace Fabric.Actors.Tests.Support;

/// <summary>
/// A journal-write (or snapshot-save) interceptor for Akka.Persistence.TestKit that holds every write until the
/// test opens it, so a test can keep a persistent actor waiting for its journal without any sleep.
/// </summary>
public sealed class JournalGate : IJournalInterceptor, ISnapshotStoreInterceptor
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the first write reached the gate.</summary>
    public Task Entered => _entered.Task;

    /// <summary>Lets every held and later write through.</summary>
    public void Open() => _open.TrySetResult();

    /// <inheritdoc />
    public Task InterceptAsync(IPersistentRepresentation message) => Hold();

    /// <inheritdoc />
    public Task InterceptAsync(string persistenceId, SnapshotSelectionCriteria criteria) => Hold();

    private Task Hold()
    {
        _entered.TrySetResult();
        return _open.Task;
    }
}
