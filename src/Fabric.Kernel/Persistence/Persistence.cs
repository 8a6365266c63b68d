using System.Runtime.CompilerServices;
using Fabric.Kernel.Actor;

namespace Fabric.Kernel.Persistence;

/// <summary>
/// Entry point of the persistence extension (Akka.Persistence <c>Persistence</c> extension): one
/// <see cref="PersistenceExtension"/> per actor system, registered before the first persistent actor starts.
/// </summary>
public static class Persistence
{
    private static readonly ConditionalWeakTable<ActorSystem, PersistenceExtension> s_extensions = new();

    /// <summary>Registers <paramref name="setup"/> as the persistence of <paramref name="system"/>.</summary>
    /// <param name="system">The actor system.</param>
    /// <param name="setup">Journal, snapshot store, serializers and settings.</param>
    /// <returns>The registered extension.</returns>
    /// <exception cref="InvalidOperationException">The system already has a persistence setup.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Non-positive <see cref="PersistenceSetup.RecoveryEventTimeout"/> or <see cref="PersistenceSetup.MaxGroupCommitBatch"/>.</exception>
    public static PersistenceExtension Register(ActorSystem system, PersistenceSetup setup)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(setup.RecoveryEventTimeout, TimeSpan.Zero, nameof(setup));
        ArgumentOutOfRangeException.ThrowIfLessThan(setup.MaxGroupCommitBatch, 1, nameof(setup));
        var extension = new PersistenceExtension(setup);
        if (!s_extensions.TryAdd(system, extension))
        {
            throw new InvalidOperationException($"Actor system [{system.Name}] already has a persistence setup; register it only once.");
        }

        return extension;
    }

    /// <summary>The persistence extension of <paramref name="system"/>.</summary>
    /// <param name="system">The actor system.</param>
    /// <returns>The extension.</returns>
    /// <exception cref="InvalidOperationException">No persistence was registered for <paramref name="system"/>.</exception>
    public static PersistenceExtension Get(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return s_extensions.TryGetValue(system, out var extension)
            ? extension
            : throw new InvalidOperationException(
                $"Actor system [{system.Name}] has no persistence setup; call Persistence.Register(system, setup) before starting persistent actors.");
    }
}
