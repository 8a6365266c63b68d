using Fabric.Kernel.Actor;
using Fabric.Kernel.Actor.Internal;

namespace Fabric.Kernel.TestKit;

/// <summary>
/// The expectation API shared by <see cref="TestKit"/> and <see cref="TestProbe"/> (Akka.NET <c>TestKitBase</c>,
/// actor-semantics §7). Every wait uses <em>real</em> wall-clock time, independent of the actor system's
/// <see cref="TimeProvider"/>: a wait without an explicit maximum uses the time left in the innermost <see cref="Within"/>
/// block, else <see cref="SingleExpectDefault"/> (3 s). Expect methods take <em>the next</em> message and fail (throwing
/// <see cref="TestKitAssertionException"/>) when it is missing, of another type or rejected.
/// </summary>
public abstract class TestKitBase
{
    private readonly MessageQueue _queue;
    private long? _deadline;

    private protected TestKitBase(ActorSystem system, IActorRef testActor, MessageQueue queue)
    {
        Sys = system;
        TestActor = testActor;
        _queue = queue;
        LastSender = system.DeadLetters;
        EventFilter = new EventFilterFactory(this);
    }

    /// <summary>Default maximum of a single expectation: 3 s (Akka <c>single-expect-default</c>).</summary>
    public static TimeSpan SingleExpectDefault { get; } = TimeSpan.FromSeconds(3);

    /// <summary>Default <see cref="ExpectNoMsg"/> duration: 100 ms of real time (kept short so virtual-time tests stay fast).</summary>
    public static TimeSpan NoMessageDefault { get; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The actor system under test.</summary>
    public ActorSystem Sys { get; }

    /// <summary>The actor whose received messages the Expect methods inspect.</summary>
    public IActorRef TestActor { get; }

    /// <summary>Sender of the last message taken by an Expect/Receive method (<c>DeadLetters</c> before any).</summary>
    public IActorRef LastSender { get; private set; }

    /// <summary>The last message taken by an Expect/Receive method, or <see langword="null"/> before any.</summary>
    public object? LastMessage { get; private set; }

    /// <summary>Log, dead-letter and exception expectations on <see cref="Sys"/>'s event stream.</summary>
    public EventFilterFactory EventFilter { get; }

    /// <summary>Time left in the innermost <see cref="Within"/> block, else <see cref="SingleExpectDefault"/>.</summary>
    public TimeSpan RemainingOrDefault => _deadline is { } d ? Remaining(d) : SingleExpectDefault;

    /// <summary>Creates an actor under <c>/user</c>.</summary>
    /// <param name="props">The recipe.</param>
    /// <param name="name">Optional name.</param>
    /// <returns>The actor.</returns>
    public IActorRef ActorOf(Props props, string? name = null) => Sys.ActorOf(props, name);

    /// <summary>Creates an actor whose parent is <see cref="TestActor"/> (so its failures are supervised by the test actor's default strategy).</summary>
    /// <param name="props">The recipe.</param>
    /// <param name="name">Optional name.</param>
    /// <returns>The child.</returns>
    public IActorRef ChildActorOf(Props props, string? name = null) =>
        (IActorRef)RunOnTestActor(ctx => ctx.ActorOf(props, name));

    /// <summary>Makes <see cref="TestActor"/> watch <paramref name="actor"/>; returns once the watch is in place.</summary>
    /// <param name="actor">The actor to watch.</param>
    /// <returns><paramref name="actor"/>.</returns>
    public IActorRef Watch(IActorRef actor) => (IActorRef)RunOnTestActor(ctx => ctx.Watch(actor));

    /// <summary>Makes <see cref="TestActor"/> stop watching <paramref name="actor"/>; returns once done.</summary>
    /// <param name="actor">The watched actor.</param>
    /// <returns><paramref name="actor"/>.</returns>
    public IActorRef Unwatch(IActorRef actor) => (IActorRef)RunOnTestActor(ctx => ctx.Unwatch(actor));

    /// <summary>Takes the next message and checks it is a <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">Expected type.</typeparam>
    /// <param name="max">Real-time maximum wait.</param>
    /// <returns>The message.</returns>
    public T ExpectMsg<T>(TimeSpan? max = null) => Check<T>(Take(max, typeof(T).Name), null, null);

    /// <summary>Takes the next message and checks it equals <paramref name="expected"/>.</summary>
    /// <typeparam name="T">Expected type.</typeparam>
    /// <param name="expected">Expected value (compared with <see cref="object.Equals(object, object)"/>).</param>
    /// <param name="max">Real-time maximum wait.</param>
    /// <returns>The message.</returns>
    public T ExpectMsg<T>(T expected, TimeSpan? max = null) =>
        Check<T>(Take(max, $"{expected}"), m => Equals(m, expected), $"equal to {expected}");

    /// <summary>Takes the next message and checks it is a <typeparamref name="T"/> matching <paramref name="isMatch"/>.</summary>
    /// <typeparam name="T">Expected type.</typeparam>
    /// <param name="isMatch">Predicate.</param>
    /// <param name="max">Real-time maximum wait.</param>
    /// <returns>The message.</returns>
    public T ExpectMsg<T>(Predicate<T> isMatch, TimeSpan? max = null) =>
        Check<T>(Take(max, typeof(T).Name), isMatch, "matching the predicate");

    /// <summary>Takes the next message, checks it is a <typeparamref name="T"/> and runs <paramref name="assert"/> on it.</summary>
    /// <typeparam name="T">Expected type.</typeparam>
    /// <param name="assert">Assertion (its exception propagates).</param>
    /// <param name="max">Real-time maximum wait.</param>
    /// <returns>The message.</returns>
    public T ExpectMsg<T>(Action<T> assert, TimeSpan? max = null)
    {
        ArgumentNullException.ThrowIfNull(assert);
        var message = ExpectMsg<T>(max);
        assert(message);
        return message;
    }

    /// <summary>Async <see cref="ExpectMsg{T}(TimeSpan?)"/>.</summary>
    /// <typeparam name="T">Expected type.</typeparam>
    /// <param name="max">Real-time maximum wait.</param>
    /// <returns>The message.</returns>
    public async Task<T> ExpectMsgAsync<T>(TimeSpan? max = null) =>
        Check<T>(await TakeAsync(max, typeof(T).Name).ConfigureAwait(false), null, null);

    /// <summary>Async <see cref="ExpectMsg{T}(T, TimeSpan?)"/>.</summary>
    /// <typeparam name="T">Expected type.</typeparam>
    /// <param name="expected">Expected value.</param>
    /// <param name="max">Real-time maximum wait.</param>
    /// <returns>The message.</returns>
    public async Task<T> ExpectMsgAsync<T>(T expected, TimeSpan? max = null) =>
        Check<T>(await TakeAsync(max, $"{expected}").ConfigureAwait(false), m => Equals(m, expected), $"equal to {expected}");

    /// <summary>Async <see cref="ExpectMsg{T}(Predicate{T}, TimeSpan?)"/>.</summary>
    /// <typeparam name="T">Expected type.</typeparam>
    /// <param name="isMatch">Predicate.</param>
    /// <param name="max">Real-time maximum wait.</param>
    /// <returns>The message.</returns>
    public async Task<T> ExpectMsgAsync<T>(Predicate<T> isMatch, TimeSpan? max = null) =>
        Check<T>(await TakeAsync(max, typeof(T).Name).ConfigureAwait(false), isMatch, "matching the predicate");

    /// <summary>Async <see cref="ExpectMsg{T}(Action{T}, TimeSpan?)"/>.</summary>
    /// <typeparam name="T">Expected type.</typeparam>
    /// <param name="assert">Assertion.</param>
    /// <param name="max">Real-time maximum wait.</param>
    /// <returns>The message.</returns>
    public async Task<T> ExpectMsgAsync<T>(Action<T> assert, TimeSpan? max = null)
    {
        ArgumentNullException.ThrowIfNull(assert);
        var message = await ExpectMsgAsync<T>(max).ConfigureAwait(false);
        assert(message);
        return message;
    }

    /// <summary>
    /// Fails if any message arrives (or is already queued) within <paramref name="duration"/> of real time. Default:
    /// <see cref="NoMessageDefault"/> (100 ms), not 3 s as in Akka, because virtual-time tests only need to let already
    /// triggered work drain.
    /// </summary>
    /// <param name="duration">Real-time window.</param>
    public void ExpectNoMsg(TimeSpan? duration = null)
    {
        var d = duration ?? NoMessageDefault;
        if (_queue.TryTake(d, out var item))
        {
            Record(item);
            throw new TestKitAssertionException($"Expected no message during {d}, but received {Describe(item.Message)}.");
        }
    }

    /// <summary>Async <see cref="ExpectNoMsg"/>.</summary>
    /// <param name="duration">Real-time window.</param>
    /// <returns>A task that faults on failure.</returns>
    public async Task ExpectNoMsgAsync(TimeSpan? duration = null)
    {
        var d = duration ?? NoMessageDefault;
        var (ok, item) = await _queue.TryTakeAsync(d).ConfigureAwait(false);
        if (ok)
        {
            Record(item);
            throw new TestKitAssertionException($"Expected no message during {d}, but received {Describe(item.Message)}.");
        }
    }

    /// <summary>Takes the next message and checks it is <see cref="Terminated"/> for <paramref name="actor"/>.</summary>
    /// <param name="actor">The watched actor.</param>
    /// <param name="max">Real-time maximum wait.</param>
    /// <returns>The notification.</returns>
    public Terminated ExpectTerminated(IActorRef actor, TimeSpan? max = null)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return Check<Terminated>(Take(max, $"Terminated({actor})"), t => t.ActorRef.Equals(actor), $"for {actor}");
    }

    /// <summary>Takes and discards messages until one matches <paramref name="isMessage"/>; returns it.</summary>
    /// <param name="isMessage">Predicate.</param>
    /// <param name="max">Real-time maximum for the whole search.</param>
    /// <returns>The matching message.</returns>
    public object FishForMessage(Predicate<object> isMessage, TimeSpan? max = null) => FishForMessage<object>(isMessage, max);

    /// <summary>Takes and discards messages until a <typeparamref name="T"/> matches <paramref name="isMessage"/>; returns it.</summary>
    /// <typeparam name="T">Wanted type.</typeparam>
    /// <param name="isMessage">Predicate.</param>
    /// <param name="max">Real-time maximum for the whole search.</param>
    /// <returns>The matching message.</returns>
    public T FishForMessage<T>(Predicate<T> isMessage, TimeSpan? max = null)
    {
        ArgumentNullException.ThrowIfNull(isMessage);
        var limit = max ?? RemainingOrDefault;
        var deadline = DeadlineAfter(limit);
        while (true)
        {
            if (!_queue.TryTake(Remaining(deadline), out var item))
            {
                throw new TestKitAssertionException($"Timeout ({limit}) while fishing for a {typeof(T).Name} matching the predicate.");
            }

            Record(item);
            if (item.Message is T t && isMessage(t))
            {
                return t;
            }
        }
    }

    /// <summary>Takes exactly <paramref name="n"/> messages within <paramref name="max"/> (for all of them).</summary>
    /// <param name="n">How many.</param>
    /// <param name="max">Real-time maximum for the whole batch.</param>
    /// <returns>The messages in arrival order.</returns>
    public IReadOnlyList<object> ReceiveN(int n, TimeSpan? max = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var limit = max ?? RemainingOrDefault;
        var deadline = DeadlineAfter(limit);
        var result = new List<object>(n);
        while (result.Count < n)
        {
            if (!_queue.TryTake(Remaining(deadline), out var item))
            {
                throw new TestKitAssertionException($"Timeout ({limit}) while waiting for {n} messages; received {result.Count}.");
            }

            Record(item);
            result.Add(item.Message);
        }

        return result;
    }

    /// <summary>Takes the next message, or returns <see langword="null"/> when none arrives within <paramref name="max"/>.</summary>
    /// <param name="max">Real-time maximum wait.</param>
    /// <returns>The message or <see langword="null"/>.</returns>
    public object? ReceiveOne(TimeSpan? max = null)
    {
        if (!_queue.TryTake(max ?? RemainingOrDefault, out var item))
        {
            return null;
        }

        Record(item);
        return item.Message;
    }

    /// <summary>
    /// Runs <paramref name="action"/>, which must finish within <paramref name="max"/> of real time; waits inside it default to
    /// the time left (nested blocks share the tighter deadline).
    /// </summary>
    /// <param name="max">Real-time bound.</param>
    /// <param name="action">The block.</param>
    public void Within(TimeSpan max, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Within(max, () =>
        {
            action();
            return true;
        });
    }

    /// <summary>Like <see cref="Within(TimeSpan, Action)"/>, returning the block's result.</summary>
    /// <typeparam name="T">Result type.</typeparam>
    /// <param name="max">Real-time bound.</param>
    /// <param name="func">The block.</param>
    /// <returns>The block's result.</returns>
    public T Within<T>(TimeSpan max, Func<T> func)
    {
        ArgumentNullException.ThrowIfNull(func);
        var start = TimeProvider.System.GetTimestamp();
        var outer = _deadline;
        var deadline = DeadlineAfter(max);
        _deadline = outer is { } o && o < deadline ? o : deadline;
        try
        {
            var result = func();
            var elapsed = TimeProvider.System.GetElapsedTime(start);
            if (elapsed > max)
            {
                throw new TestKitAssertionException($"Block took {elapsed}, exceeding the Within bound of {max}.");
            }

            return result;
        }
        finally
        {
            _deadline = outer;
        }
    }

    /// <summary>Async <see cref="Within(TimeSpan, Action)"/>.</summary>
    /// <param name="max">Real-time bound.</param>
    /// <param name="action">The block.</param>
    /// <returns>A task that faults on failure.</returns>
    public async Task WithinAsync(TimeSpan max, Func<Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var start = TimeProvider.System.GetTimestamp();
        var outer = _deadline;
        var deadline = DeadlineAfter(max);
        _deadline = outer is { } o && o < deadline ? o : deadline;
        try
        {
            await action().ConfigureAwait(false);
            var elapsed = TimeProvider.System.GetElapsedTime(start);
            if (elapsed > max)
            {
                throw new TestKitAssertionException($"Block took {elapsed}, exceeding the Within bound of {max}.");
            }
        }
        finally
        {
            _deadline = outer;
        }
    }

    /// <summary>Polls <paramref name="condition"/> every <paramref name="interval"/> (default 10 ms) until true, failing after <paramref name="max"/>.</summary>
    /// <param name="condition">The condition.</param>
    /// <param name="max">Real-time maximum.</param>
    /// <param name="interval">Poll interval.</param>
    public void AwaitCondition(Func<bool> condition, TimeSpan? max = null, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var limit = max ?? RemainingOrDefault;
        var deadline = DeadlineAfter(limit);
        while (!condition())
        {
            if (Remaining(deadline) <= TimeSpan.Zero)
            {
                throw new TestKitAssertionException($"Timeout ({limit}) waiting for the condition.");
            }

            Thread.Sleep(Min(interval ?? TimeSpan.FromMilliseconds(10), Remaining(deadline)));
        }
    }

    /// <summary>Runs <paramref name="assertion"/> until it stops throwing; after <paramref name="duration"/> rethrows its last failure.</summary>
    /// <param name="assertion">The assertion.</param>
    /// <param name="duration">Real-time maximum.</param>
    /// <param name="interval">Retry interval (default 10 ms).</param>
    public void AwaitAssert(Action assertion, TimeSpan? duration = null, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        var deadline = DeadlineAfter(duration ?? RemainingOrDefault);
        while (true)
        {
            try
            {
                assertion();
                return;
            }
            catch (Exception) when (Remaining(deadline) > TimeSpan.Zero)
            {
                Thread.Sleep(Min(interval ?? TimeSpan.FromMilliseconds(10), Remaining(deadline)));
            }
        }
    }

    /// <summary>Async <see cref="AwaitAssert"/>.</summary>
    /// <param name="assertion">The assertion.</param>
    /// <param name="duration">Real-time maximum.</param>
    /// <param name="interval">Retry interval (default 10 ms).</param>
    /// <returns>A task that faults with the last failure.</returns>
    public async Task AwaitAssertAsync(Func<Task> assertion, TimeSpan? duration = null, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        var deadline = DeadlineAfter(duration ?? RemainingOrDefault);
        while (true)
        {
            try
            {
                await assertion().ConfigureAwait(false);
                return;
            }
            catch (Exception) when (Remaining(deadline) > TimeSpan.Zero)
            {
                await Task.Delay(Min(interval ?? TimeSpan.FromMilliseconds(10), Remaining(deadline))).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Creates a probe on <see cref="Sys"/>.</summary>
    /// <param name="name">Optional unique name (default <c>testProbe-N</c>).</param>
    /// <returns>The probe.</returns>
    public TestProbe CreateTestProbe(string? name = null) => new(Sys, name);

    private protected static IActorRef CreateTestActor(ActorSystem system, MessageQueue queue, string name) =>
        ((ActorSystemImpl)system).SystemActorOf(Props.Create(() => new TestActor(queue)), name);

    private static long DeadlineAfter(TimeSpan span) =>
        TimeProvider.System.GetTimestamp() + (long)(span.TotalSeconds * TimeProvider.System.TimestampFrequency);

    private static TimeSpan Remaining(long deadline)
    {
        var left = deadline - TimeProvider.System.GetTimestamp();
        return left <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)left / TimeProvider.System.TimestampFrequency);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static string Describe(object message) => $"[{message}] of type {message.GetType().Name}";

    private object RunOnTestActor(Func<IActorContext, object> action)
    {
        var command = new TestActorCommand(action);
        TestActor.Tell(command, ActorRefs.NoSender);
        if (!command.Done.Wait(SingleExpectDefault))
        {
            throw new TestKitAssertionException($"The test actor did not run the command within {SingleExpectDefault}.");
        }

        return command.Done.Result;
    }

    private void Record((object Message, IActorRef Sender) item)
    {
        LastSender = item.Sender;
        LastMessage = item.Message;
    }

    private (object Message, IActorRef Sender) Take(TimeSpan? max, string hint)
    {
        var limit = max ?? RemainingOrDefault;
        if (!_queue.TryTake(limit, out var item))
        {
            throw new TestKitAssertionException($"Timeout ({limit}) while waiting for a message: {hint}.");
        }

        Record(item);
        return item;
    }

    private async Task<(object Message, IActorRef Sender)> TakeAsync(TimeSpan? max, string hint)
    {
        var limit = max ?? RemainingOrDefault;
        var (ok, item) = await _queue.TryTakeAsync(limit).ConfigureAwait(false);
        if (!ok)
        {
            throw new TestKitAssertionException($"Timeout ({limit}) while waiting for a message: {hint}.");
        }

        Record(item);
        return item;
    }

    private static T Check<T>((object Message, IActorRef Sender) item, Predicate<T>? isMatch, string? what)
    {
        if (item.Message is not T t)
        {
            throw new TestKitAssertionException($"Expected a message of type {typeof(T).Name}, but received {Describe(item.Message)}.");
        }

        if (isMatch is not null && !isMatch(t))
        {
            throw new TestKitAssertionException($"Expected a {typeof(T).Name} {what}, but received {Describe(item.Message)}.");
        }

        return t;
    }
}
