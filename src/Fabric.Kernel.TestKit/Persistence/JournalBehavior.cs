using Fabric.Kernel.Persistence;

namespace Fabric.Kernel.TestKit.Persistence;

/// <summary>
/// Injectable behaviour of <see cref="InMemoryJournal"/> writes and replays, like Akka.Persistence.TestKit's journal
/// interceptors: <see cref="Pass"/>, <see cref="Fail"/>, <see cref="Reject"/>, <see cref="FailOnType{T}"/>,
/// <see cref="RejectOnType{T}"/>, <see cref="FailIf"/>, <see cref="RejectIf"/>. Type-based behaviours deserialize the
/// stored payload with the journal's <see cref="SerializerRegistry"/>.
/// </summary>
public sealed class JournalBehavior
{
    private readonly Func<PersistentRepr, SerializerRegistry?, JournalVerdict> _decide;

    private JournalBehavior(string name, Func<PersistentRepr, SerializerRegistry?, JournalVerdict> decide)
    {
        Name = name;
        _decide = decide;
    }

    /// <summary>Everything is stored and replayed.</summary>
    public static JournalBehavior Pass { get; } = new("Pass", static (_, _) => JournalVerdict.Pass);

    /// <summary>Every call throws <see cref="TestJournalFailureException"/>.</summary>
    public static JournalBehavior Fail { get; } = new("Fail", static (_, _) => JournalVerdict.Fail);

    /// <summary>Every write is rejected with <see cref="TestJournalRejectException"/> (in replay: fails).</summary>
    public static JournalBehavior Reject { get; } = new("Reject", static (_, _) => JournalVerdict.Reject);

    /// <summary>A short name for diagnostics.</summary>
    public string Name { get; }

    /// <summary>Fails the call when an event of type <typeparamref name="T"/> is written or replayed.</summary>
    /// <typeparam name="T">The event type.</typeparam>
    /// <returns>The behaviour.</returns>
    public static JournalBehavior FailOnType<T>() =>
        new($"FailOnType<{typeof(T).Name}>", static (repr, registry) => IsOfType<T>(repr, registry) ? JournalVerdict.Fail : JournalVerdict.Pass);

    /// <summary>Rejects the atomic write containing an event of type <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The event type.</typeparam>
    /// <returns>The behaviour.</returns>
    public static JournalBehavior RejectOnType<T>() =>
        new($"RejectOnType<{typeof(T).Name}>", static (repr, registry) => IsOfType<T>(repr, registry) ? JournalVerdict.Reject : JournalVerdict.Pass);

    /// <summary>Fails the call when <paramref name="predicate"/> holds for a written or replayed row.</summary>
    /// <param name="predicate">Tests the stored row.</param>
    /// <returns>The behaviour.</returns>
    public static JournalBehavior FailIf(Func<PersistentRepr, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return new("FailIf", (repr, _) => predicate(repr) ? JournalVerdict.Fail : JournalVerdict.Pass);
    }

    /// <summary>Rejects the atomic write containing a row for which <paramref name="predicate"/> holds.</summary>
    /// <param name="predicate">Tests the stored row.</param>
    /// <returns>The behaviour.</returns>
    public static JournalBehavior RejectIf(Func<PersistentRepr, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return new("RejectIf", (repr, _) => predicate(repr) ? JournalVerdict.Reject : JournalVerdict.Pass);
    }

    /// <summary>The verdict for <paramref name="repr"/>.</summary>
    /// <param name="repr">The row.</param>
    /// <param name="serializers">Used by type-based behaviours.</param>
    /// <returns>The verdict.</returns>
    public JournalVerdict Decide(PersistentRepr repr, SerializerRegistry? serializers) => _decide(repr, serializers);

    /// <inheritdoc/>
    public override string ToString() => Name;

    private static bool IsOfType<T>(PersistentRepr repr, SerializerRegistry? registry)
    {
        if (registry is null)
        {
            throw new InvalidOperationException("Type-based journal behaviours need the InMemoryJournal to be created with a SerializerRegistry.");
        }

        return registry.Deserialize(repr.Payload.Span, repr.Manifest) is T;
    }
}
