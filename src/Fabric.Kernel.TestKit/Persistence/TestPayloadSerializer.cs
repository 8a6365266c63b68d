using System.Collections.Concurrent;
using System.Runtime.Serialization;
using System.Text.Json;
using Fabric.Kernel.Persistence.Serialization;

namespace Fabric.Kernel.TestKit.Persistence;

/// <summary>
/// FOR TESTS ONLY: serializes any type (strings, numbers, records) with System.Text.Json under the manifest
/// <c>{Type.FullName}.v1</c>. It reads back only manifests of types it has serialized or that were
/// <see cref="Register{T}">registered</see> in this process — production code uses explicit versioned contracts instead.
/// </summary>
public sealed class TestPayloadSerializer : IPayloadSerializer
{
    private readonly ConcurrentDictionary<string, Type> _types = new(StringComparer.Ordinal);

    /// <summary>Makes <typeparamref name="T"/>'s manifest readable before anything of that type was written.</summary>
    /// <typeparam name="T">The type.</typeparam>
    public void Register<T>() => _types[ManifestOf(typeof(T))] = typeof(T);

    /// <inheritdoc/>
    public bool CanSerialize(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return !typeof(Delegate).IsAssignableFrom(type);
    }

    /// <inheritdoc/>
    public bool CanDeserialize(string manifest) => _types.ContainsKey(manifest);

    /// <inheritdoc/>
    public string Manifest(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return ManifestOf(value.GetType());
    }

    /// <inheritdoc/>
    public byte[] ToBinary(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var type = value.GetType();
        byte[] bytes;
        try
        {
            bytes = JsonSerializer.SerializeToUtf8Bytes(value, type);
        }
        catch (Exception e) when (e is not SerializationException)
        {
            throw new SerializationException($"Cannot serialize [{type.FullName}]: {e.Message}", e);
        }

        _types[ManifestOf(type)] = type;
        return bytes;
    }

    /// <inheritdoc/>
    public object FromBinary(ReadOnlySpan<byte> bytes, string manifest)
    {
        if (!_types.TryGetValue(manifest, out var type))
        {
            throw new SerializationException($"Unknown manifest [{manifest}].");
        }

        try
        {
            return JsonSerializer.Deserialize(bytes, type) ?? throw new SerializationException($"Payload of [{manifest}] is null.");
        }
        catch (JsonException e)
        {
            throw new SerializationException($"Corrupt payload for [{manifest}]: {e.Message}", e);
        }
    }

    private static string ManifestOf(Type type) => type.FullName + ".v1";
}
