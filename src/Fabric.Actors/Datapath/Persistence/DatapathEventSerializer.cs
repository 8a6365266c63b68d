using System.Runtime.Serialization;
using Fabric.Actors.Datapath.Persistence.Proto;
using Fabric.Kernel.Persistence.Serialization;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Fabric.Actors.Datapath.Persistence;

/// <summary>
/// Serializes the datapath actor's journal events and snapshots (datapath_events.proto) with explicit,
/// versioned manifests "fabric.dp.&lt;Message&gt;.v&lt;N&gt;". Writes the current version (v2); reads v1 and v2.
/// </summary>
public sealed class DatapathEventSerializer : IPayloadSerializer
{
    /// <summary>The schema version written.</summary>
    public const int CurrentVersion = 2;

    private const string Prefix = "fabric.dp.";
    private static readonly Dictionary<string, MessageParser> Parsers = DatapathEventsReflection.Descriptor.MessageTypes
        .ToDictionary(d => d.Name, d => d.Parser);

    private static readonly HashSet<Type> Types = DatapathEventsReflection.Descriptor.MessageTypes.Select(d => d.ClrType).ToHashSet();

    /// <inheritdoc />
    public bool CanSerialize(Type type) => Types.Contains(type);

    /// <inheritdoc />
    public bool CanDeserialize(string manifest) => TryParseManifest(manifest, out _, out _);

    /// <inheritdoc />
    public string Manifest(object value) => value is IMessage m && Types.Contains(value.GetType())
        ? $"{Prefix}{m.Descriptor.Name}.v{CurrentVersion}"
        : throw new SerializationException($"the datapath serializer does not handle {value.GetType().Name}");

    /// <inheritdoc />
    public byte[] ToBinary(object value) => value is IMessage m && Types.Contains(value.GetType())
        ? m.ToByteArray()
        : throw new SerializationException($"the datapath serializer does not handle {value.GetType().Name}");

    /// <inheritdoc />
    public object FromBinary(ReadOnlySpan<byte> bytes, string manifest)
    {
        if (!TryParseManifest(manifest, out var parser, out _))
        {
            throw new SerializationException($"unknown datapath manifest '{manifest}' (known: fabric.dp.<message>.v1..v{CurrentVersion})");
        }

        try
        {
            // v1 payloads lack the v2 fields; protobuf reads them with those fields unset.
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new SerializationException($"corrupt datapath payload '{manifest}': {e.Message}", e);
        }
    }

    private static bool TryParseManifest(string manifest, out MessageParser parser, out int version)
    {
        parser = null!;
        version = 0;
        if (!manifest.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = manifest.AsSpan(Prefix.Length);
        var dot = rest.LastIndexOf(".v");
        if (dot <= 0 || !int.TryParse(rest[(dot + 2)..], out version) || version < 1 || version > CurrentVersion)
        {
            return false;
        }

        return Parsers.TryGetValue(rest[..dot].ToString(), out parser!);
    }
}
