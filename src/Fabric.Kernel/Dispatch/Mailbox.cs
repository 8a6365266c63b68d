using System.Collections.Concurrent;
using Fabric.Kernel.Actor.Internal;

namespace Fabric.Kernel.Dispatch;

/// <summary>
/// One actor's mailbox (Akka.NET <c>Mailbox</c>): a user queue, a system queue drained before and after every user message,
/// and a front queue for unstashed messages. Enqueueing is thread-safe; processing runs on one thread-pool thread at a time.
/// The suspend count and the front queue are touched only by the processing thread.
/// </summary>
internal sealed class Mailbox : IThreadPoolWorkItem
{
    private readonly ConcurrentQueue<Envelope> _userQueue = new();
    private readonly ConcurrentQueue<ISystemMessage> _systemQueue = new();
    private readonly LinkedList<Envelope> _front = new();
    private readonly Dispatcher _dispatcher;
    private ActorCell _cell = null!;
    private int _scheduled;
    private volatile bool _closed;
    private int _suspendCount;

    public Mailbox(Dispatcher dispatcher) => _dispatcher = dispatcher;

    public bool IsClosed => _closed;

    public bool IsSuspended => _suspendCount > 0;

    public void SetActor(ActorCell cell) => _cell = cell;

    public void Enqueue(Envelope envelope)
    {
        if (_closed)
        {
            _cell.SendToDeadLetters(envelope);
            return;
        }

        _userQueue.Enqueue(envelope);
        if (_closed)
        {
            DrainUserQueue();
        }
        else
        {
            TrySchedule();
        }
    }

    public void EnqueueSystem(ISystemMessage message)
    {
        if (_closed)
        {
            _cell.HandleSystemMessageAfterTermination(message);
            return;
        }

        _systemQueue.Enqueue(message);
        if (_closed)
        {
            DrainSystemQueue();
        }
        else
        {
            TrySchedule();
        }
    }

    /// <summary>Puts <paramref name="envelopes"/> in front of every queued user message, keeping their order.</summary>
    public void Prepend(IReadOnlyList<Envelope> envelopes)
    {
        for (var i = envelopes.Count - 1; i >= 0; i--)
        {
            _front.AddFirst(envelopes[i]);
        }
    }

    public void SuspendOnce() => _suspendCount++;

    public void ResumeOnce()
    {
        if (_suspendCount > 0)
        {
            _suspendCount--;
        }
    }

    /// <summary>Closes the mailbox: later messages go to dead letters; queued ones are drained there now.</summary>
    public void Close()
    {
        _closed = true;
        while (_front.First is { } node)
        {
            _front.RemoveFirst();
            _cell.SendToDeadLetters(node.Value);
        }

        DrainUserQueue();
        DrainSystemQueue();
    }

    public void TrySchedule()
    {
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            _dispatcher.Schedule(this);
        }
    }

    public void Execute()
    {
        try
        {
            if (!_closed)
            {
                ProcessAllSystemMessages();
                ProcessUserMessages();
            }
        }
        catch (Exception e)
        {
            _cell.LogMailboxCrash(e);
        }
        finally
        {
            Interlocked.Exchange(ref _scheduled, 0);
            if (!_closed && HasWork())
            {
                TrySchedule();
            }
        }
    }

    private bool HasWork() =>
        !_systemQueue.IsEmpty || (_suspendCount == 0 && (_front.Count > 0 || !_userQueue.IsEmpty));

    private void ProcessUserMessages()
    {
        var left = _dispatcher.Throughput;
        while (left-- > 0 && !_closed && _suspendCount == 0 && TryDequeueUser(out var envelope))
        {
            _cell.Invoke(envelope);
            ProcessAllSystemMessages();
        }
    }

    private bool TryDequeueUser(out Envelope envelope)
    {
        if (_front.First is { } node)
        {
            _front.RemoveFirst();
            envelope = node.Value;
            return true;
        }

        return _userQueue.TryDequeue(out envelope);
    }

    private void ProcessAllSystemMessages()
    {
        while (!_closed && _systemQueue.TryDequeue(out var message))
        {
            _cell.SystemInvoke(message);
        }
    }

    private void DrainUserQueue()
    {
        while (_userQueue.TryDequeue(out var envelope))
        {
            _cell.SendToDeadLetters(envelope);
        }
    }

    private void DrainSystemQueue()
    {
        while (_systemQueue.TryDequeue(out var message))
        {
            _cell.HandleSystemMessageAfterTermination(message);
        }
    }
}
