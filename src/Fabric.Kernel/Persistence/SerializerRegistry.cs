using System.Collections.Concurrent;
using System.Runtime.Serialization;
using Fabric.Kernel.Persistence.Serialization;

namespace Fabric.Kernel.Persistence;

/// <summary>
/// The payload serializers of a persistence setup (Akka <c>serialization-bindings</c>): picks the first added serializer
/// that handles a type (for writing) or a manifest (for reading). Thread-safe; add serializers before use.
/// </summary>
public sealed class SerializerRegistry
{
    private readonly List<IPayloadSerializer> _serializers = [];
    private readonly ConcurrentDictionary<Type, IPayloadSerializer> _byType = new();
    private readonly ConcurrentDictionary<string, IPayloadSerializer> _byManifest = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Adds <paramref name="serializer"/>; earlier ones take precedence.</summary>
    /// <param name="serializer">The serializer.</param>
    public void Add(IPayloadSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        lock (_lock)
        {
            _serializers.Add(serializer);
            _byType.Clear();
            _byManifest.Clear();
        }
    }

    /// <summary>Serializes <paramref name="value"/> with the serializer bound to its type.</summary>
    /// <param name="value">An event or snapshot.</param>
    /// <returns>The manifest (type and schema version) and the bytes.</returns>
    /// <exception cref="SerializationException">No serializer handles the value's type.</exception>
    public (string Manifest, byte[] Bytes) Serialize(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var serializer = ForType(value.GetType());
        return (serializer.Manifest(value), serializer.ToBinary(value));
    }

    /// <summary>Deserializes a payload stored under <paramref name="manifest"/>.</summary>
    /// <param name="bytes">The payload.</param>
    /// <param name="manifest">The stored manifest.</param>
    /// <returns>The event or snapshot.</returns>
    /// <exception cref="SerializationException">No serializer reads <paramref name="manifest"/>, or the bytes are corrupt.</exception>
    public object Deserialize(ReadOnlySpan<byte> bytes, string manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return ForManifest(manifest).FromBinary(bytes, manifest);
    }

    private IPayloadSerializer ForType(Type type)
    {
        if (_byType.TryGetValue(type, out var cached))
        {
            return cached;
        }

        lock (_lock)
        {
            foreach (var serializer in _serializers)
            {
                if (serializer.CanSerialize(type))
                {
                    _byType[type] = serializer;
                    return serializer;
                }
            }
        }

        throw new SerializationException($"No payload serializer is registered for type [{type.FullName}].");
    }

    private IPayloadSerializer ForManifest(string manifest)
    {
        if (_byManifest.TryGetValue(manifest, out var cached))
        {
            return cached;
        }

        lock (_lock)
        {
            foreach (var serializer in _serializers)
            {
                if (serializer.CanDeserialize(manifest))
                {
                    _byManifest[manifest] = serializer;
                    return serializer;
                }
            }
        }

        throw new SerializationException($"No payload serializer reads manifest [{manifest}].");
    }
}
