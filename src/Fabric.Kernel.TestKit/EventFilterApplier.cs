using Fabric.Kernel.Actor;
using Fabric.Kernel.Actor.Internal;

namespace Fabric.Kernel.TestKit;

/// <summary>
/// Runs a block and asserts how many matching events were published on the event stream: the count must reach the
/// expectation within 3 s of real time after the block (Akka <c>filter-leeway</c>) and must not exceed it.
/// </summary>
public sealed class EventFilterApplier
{
    private static readonly TimeSpan Leeway = TimeSpan.FromSeconds(3);
    private static long s_counter;
    private readonly TestKitBase _kit;
    private readonly Type _channel;
    private readonly Func<object, bool> _isMatch;
    private readonly string _description;

    internal EventFilterApplier(TestKitBase kit, Type channel, Func<object, bool> isMatch, string description)
    {
        _kit = kit;
        _channel = channel;
        _isMatch = isMatch;
        _description = description;
    }

    /// <summary>Runs <paramref name="action"/> and expects exactly one matching event.</summary>
    /// <param name="action">The block.</param>
    public void ExpectOne(Action action) => Expect(1, action);

    /// <summary>Runs <paramref name="action"/> and expects exactly <paramref name="expected"/> matching events.</summary>
    /// <param name="expected">Expected count (≥ 0).</param>
    /// <param name="action">The block.</param>
    public void Expect(int expected, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ExpectAsync(expected, () =>
        {
            action();
            return Task.CompletedTask;
        }).GetAwaiter().GetResult();
    }

    /// <summary>Async <see cref="ExpectOne"/>.</summary>
    /// <param name="action">The block.</param>
    /// <returns>A task that faults on failure.</returns>
    public Task ExpectOneAsync(Func<Task> action) => ExpectAsync(1, action);

    /// <summary>Async <see cref="Expect"/>.</summary>
    /// <param name="expected">Expected count (≥ 0).</param>
    /// <param name="action">The block.</param>
    /// <returns>A task that faults on failure.</returns>
    public async Task ExpectAsync(int expected, Func<Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentOutOfRangeException.ThrowIfNegative(expected);
        var system = (ActorSystemImpl)_kit.Sys;
        var count = 0;
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (expected == 0)
        {
            reached.TrySetResult();
        }

        var path = (ActorPath.CreateRoot(system.Name) / "system" / ("eventFilter-" + Interlocked.Increment(ref s_counter))).WithUid(1);
        var listener = new FunctionRef(system, path, (message, _) =>
        {
            if (_isMatch(message) && Interlocked.Increment(ref count) >= expected)
            {
                reached.TrySetResult();
            }
        });
        system.EventStream.Subscribe(listener, _channel);
        try
        {
            await action().ConfigureAwait(false);
            var finished = await Task.WhenAny(reached.Task, Task.Delay(Leeway)).ConfigureAwait(false);
            var actual = Volatile.Read(ref count);
            if (finished != reached.Task)
            {
                throw new TestKitAssertionException(
                    $"Timeout ({Leeway}) waiting for {expected} event(s): {_description}; received {actual}.");
            }

            if (actual > expected)
            {
                throw new TestKitAssertionException($"Expected {expected} event(s): {_description}; received {actual}.");
            }
        }
        finally
        {
            system.EventStream.Unsubscribe(listener);
            listener.Stop();
        }
    }
}
