using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using Fabric.Actors.Datapath.Persistence.Proto;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Fabric.Actors.Datapath.Persistence;

/// <summary>
/// Akka serializer for the datapath actor's journal events and snapshots (datapath_events.proto), with explicit,
/// versioned manifests <c>fabric.dp.&lt;Message&gt;.v&lt;N&gt;</c>. Writes the current version (v3); reads v1 to v3.
/// Bound to each generated message type by name (<see cref="Config"/>), never to an interface, so no other
/// serializer can take them (akka-notes §2.6).
/// </summary>
public sealed class DatapathEventSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer id stored with every journal row and snapshot; never change it.</summary>
    public const int Id = 1701;

    /// <summary>The schema version written.</summary>
    public const int CurrentVersion = 4;

    /// <summary>The name the serializer is registered under in <c>akka.actor.serializers</c>.</summary>
    public const string Name = "fabric-datapath";

    private const string Prefix = "fabric.dp.";

    private static readonly Dictionary<string, MessageParser> Parsers = DatapathEventsReflection.Descriptor.MessageTypes
        .ToDictionary(d => d.Name, d => d.Parser, StringComparer.Ordinal);

    private static readonly Dictionary<Type, string> Manifests = DatapathEventsReflection.Descriptor.MessageTypes
        .ToDictionary(d => d.ClrType, d => $"{Prefix}{d.Name}.v{CurrentVersion}");

    /// <summary>Creates the serializer (Akka calls this constructor by reflection).</summary>
    public DatapathEventSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <summary>
    /// The Akka configuration that registers this serializer and binds every datapath event and snapshot type to it
    /// (<c>akka.actor.serializers</c>, <c>serialization-bindings</c>, <c>serialization-identifiers</c>).
    /// </summary>
    public static Akka.Configuration.Config Config { get; } = BuildConfig();

    /// <summary>The CLR types this serializer is bound to.</summary>
    public static IReadOnlyCollection<Type> BoundTypes => Manifests.Keys;

    /// <inheritdoc />
    public override int Identifier => Id;

    /// <inheritdoc />
    /// <exception cref="SerializationException">The object is not a datapath event or snapshot.</exception>
    public override string Manifest(object o) => Manifests.TryGetValue(o.GetType(), out var manifest)
        ? manifest
        : throw new SerializationException($"the datapath serializer does not handle {o.GetType().FullName}");

    /// <inheritdoc />
    /// <exception cref="SerializationException">The object is not a datapath event or snapshot.</exception>
    public override byte[] ToBinary(object obj) => obj is IMessage m && Manifests.ContainsKey(obj.GetType())
        ? m.ToByteArray()
        : throw new SerializationException($"the datapath serializer does not handle {obj.GetType().FullName}");

    /// <inheritdoc />
    /// <exception cref="SerializationException">Unknown manifest or version, or a corrupt payload.</exception>
    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!TryParseManifest(manifest, out var parser))
        {
            throw new SerializationException($"unknown datapath manifest '{manifest}' (known: {Prefix}<message>.v1..v{CurrentVersion})");
        }

        try
        {
            // Older payloads lack the newer fields; protobuf reads them with those fields unset.
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new SerializationException($"corrupt datapath payload '{manifest}': {e.Message}", e);
        }
    }

    /// <summary>True when <paramref name="manifest"/> names a known message at a readable version.</summary>
    public static bool IsKnownManifest(string manifest) => TryParseManifest(manifest, out _);

    private static bool TryParseManifest(string manifest, out MessageParser parser)
    {
        parser = null!;
        if (!manifest.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = manifest.AsSpan(Prefix.Length);
        var dot = rest.LastIndexOf(".v");
        if (dot <= 0 || !int.TryParse(rest[(dot + 2)..], out var version) || version < 1 || version > CurrentVersion)
        {
            return false;
        }

        return Parsers.TryGetValue(rest[..dot].ToString(), out parser!);
    }

    private static Akka.Configuration.Config BuildConfig()
    {
        var type = typeof(DatapathEventSerializer);
        var typeName = $"{type.FullName}, {type.Assembly.GetName().Name}";
        var sb = new StringBuilder();
        sb.Append("akka.actor {\n");
        sb.Append("  serializers { ").Append(Name).Append(" = \"").Append(typeName).Append("\" }\n");
        sb.Append("  serialization-identifiers { \"").Append(typeName).Append("\" = ").Append(Id).Append(" }\n");
        sb.Append("  serialization-bindings {\n");
        foreach (MessageDescriptor d in DatapathEventsReflection.Descriptor.MessageTypes)
        {
            sb.Append("    \"").Append(d.ClrType.FullName).Append(", ").Append(d.ClrType.Assembly.GetName().Name).Append("\" = ").Append(Name).Append('\n');
        }

        sb.Append("  }\n}\n");
        return Akka.Configuration.ConfigurationFactory.ParseString(sb.ToString());
    }
}
