using Fabric.Kernel.Persistence;
using Fabric.Kernel.Persistence.Journal;

namespace Fabric.Persistence.Sql.Tests;

internal static class TestEvents
{
    public static readonly long Created = new DateTime(2026, 11, 21, 12, 0, 0, DateTimeKind.Utc).Ticks;

    public static byte[] PayloadOf(string persistenceId, long sequenceNr, int size = 100)
    {
        var bytes = new byte[size];
        int seed = HashCode.Combine(persistenceId, sequenceNr);
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static PersistentRepr Event(string persistenceId, long sequenceNr, int size = 100, params string[] tags) =>
        new(persistenceId, sequenceNr, "fabric.test.Event.v1", PayloadOf(persistenceId, sequenceNr, size), Created + sequenceNr, tags, "writer-1");

    public static AtomicWrite Write(string persistenceId, long sequenceNr) => new([Event(persistenceId, sequenceNr)]);

    public static AtomicWrite Write(string persistenceId, long fromSequenceNr, long toSequenceNr)
    {
        var events = new List<PersistentRepr>();
        for (long s = fromSequenceNr; s <= toSequenceNr; s++)
        {
            events.Add(Event(persistenceId, s));
        }

        return new AtomicWrite(events);
    }
}
