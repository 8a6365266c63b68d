using Fabric.Kernel.Persistence;

namespace Fabric.Kernel.TestKit.Persistence;

/// <summary>
/// A <see cref="TestKit"/> whose system has persistence registered on an <see cref="InMemoryJournal"/> and an
/// <see cref="InMemorySnapshotStore"/>, with a <see cref="TestPayloadSerializer"/> for test event types (Akka
/// <c>PersistenceTestKit</c>). Inject faults through <see cref="Journal"/> and <see cref="SnapshotStore"/>.
/// </summary>
public class PersistenceTestKit : TestKit
{
    /// <summary>Creates the system and registers the in-memory stores.</summary>
    /// <param name="systemName">System name (default <c>test</c>).</param>
    /// <param name="timeProvider">Clock of the system (e.g. a <see cref="VirtualTimeProvider"/>); <see langword="null"/> = real time.</param>
    /// <param name="recoveryEventTimeout">Recovery event timeout; <see langword="null"/> = 30 s.</param>
    public PersistenceTestKit(string? systemName = null, TimeProvider? timeProvider = null, TimeSpan? recoveryEventTimeout = null)
        : base(systemName, timeProvider)
    {
        PayloadSerializer = new TestPayloadSerializer();
        Serializers = new SerializerRegistry();
        Serializers.Add(PayloadSerializer);
        Journal = new InMemoryJournal(Serializers);
        SnapshotStore = new InMemorySnapshotStore();
        Extension = Fabric.Kernel.Persistence.Persistence.Register(Sys, new PersistenceSetup
        {
            Journal = Journal,
            SnapshotStore = SnapshotStore,
            Serializers = Serializers,
            RecoveryEventTimeout = recoveryEventTimeout ?? TimeSpan.FromSeconds(30),
        });
    }

    /// <summary>The in-memory journal behind the system's group-commit journal.</summary>
    public InMemoryJournal Journal { get; }

    /// <summary>The in-memory snapshot store.</summary>
    public InMemorySnapshotStore SnapshotStore { get; }

    /// <summary>The registry holding <see cref="PayloadSerializer"/>.</summary>
    public SerializerRegistry Serializers { get; }

    /// <summary>The JSON test serializer.</summary>
    public TestPayloadSerializer PayloadSerializer { get; }

    /// <summary>The registered persistence extension.</summary>
    public PersistenceExtension Extension { get; }
}
