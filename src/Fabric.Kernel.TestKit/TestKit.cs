using Fabric.Kernel.Actor;
using Fabric.Kernel.Actor.Internal;

namespace Fabric.Kernel.TestKit;

/// <summary>
/// Base class (or helper) for actor tests (Akka.NET <c>TestKit</c>): owns an <see cref="ActorSystem"/> and a
/// <see cref="TestKitBase.TestActor"/> that is the implicit sender of <c>Tell(msg)</c> calls made from the test body (also
/// across <c>await</c>). Framework-agnostic: failures throw <see cref="TestKitAssertionException"/>. Disposing terminates
/// the system.
/// </summary>
public class TestKit : TestKitBase, IDisposable
{
    private bool _disposed;

    /// <summary>Creates the system and the test actor.</summary>
    /// <param name="systemName">System name (default <c>test</c>).</param>
    /// <param name="timeProvider">Clock for the system's timers and scheduler, e.g. a <see cref="VirtualTimeProvider"/>;
    /// <see langword="null"/> = real time. Expect waits always use real time.</param>
    public TestKit(string? systemName = null, TimeProvider? timeProvider = null)
        : this(ActorSystem.Create(systemName ?? "test", new ActorSystemSetup { TimeProvider = timeProvider ?? TimeProvider.System }))
    {
    }

    private TestKit(ActorSystem system)
        : this(system, new MessageQueue())
    {
    }

    private TestKit(ActorSystem system, MessageQueue queue)
        : base(system, CreateTestActor(system, queue, "testActor"), queue)
    {
        ImplicitSender.Current = TestActor;
    }

    /// <summary>Terminates <see cref="TestKitBase.Sys"/> (waiting up to 10 s).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Terminates the system when <paramref name="disposing"/>.</summary>
    /// <param name="disposing">Called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing)
        {
            return;
        }

        _disposed = true;
        if (ReferenceEquals(ImplicitSender.Current, TestActor))
        {
            ImplicitSender.Current = null;
        }

        Sys.Terminate().Wait(TimeSpan.FromSeconds(10));
    }
}
