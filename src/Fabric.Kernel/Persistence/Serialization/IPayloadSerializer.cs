namespace Fabric.Kernel.Persistence.Serialization;

/// <summary>
/// Turns events and snapshots into bytes with an explicit, versioned manifest and back — never type-name binary
/// serialization (DESIGN.md "Persistence"). One serializer handles a family of types (e.g. the datapath's events).
/// </summary>
public interface IPayloadSerializer
{
    /// <summary>True when this serializer handles objects of <paramref name="type"/>.</summary>
    bool CanSerialize(Type type);

    /// <summary>True when this serializer reads payloads with <paramref name="manifest"/> (including older schema versions).</summary>
    bool CanDeserialize(string manifest);

    /// <summary>The manifest naming <paramref name="value"/>'s type and current schema version, e.g. "fabric.dp.FlowInstalled.v2".</summary>
    string Manifest(object value);

    /// <summary>Serializes <paramref name="value"/>.</summary>
    byte[] ToBinary(object value);

    /// <summary>Deserializes a payload written under <paramref name="manifest"/> (any version this serializer knows).</summary>
    /// <exception cref="System.Runtime.Serialization.SerializationException">Unknown manifest or corrupt bytes.</exception>
    object FromBinary(ReadOnlySpan<byte> bytes, string manifest);
}
