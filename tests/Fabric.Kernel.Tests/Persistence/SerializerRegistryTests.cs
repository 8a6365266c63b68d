using System.Runtime.Serialization;
using Fabric.Kernel.Persistence;
using Fabric.Kernel.Persistence.Serialization;
using Fabric.Kernel.TestKit.Persistence;

namespace Fabric.Kernel.Tests.Persistence;

public sealed class SerializerRegistryTests
{
    private sealed record Point(int X, int Y);

    private sealed class IntOnly : IPayloadSerializer
    {
        public bool CanSerialize(Type type) => type == typeof(int);

        public bool CanDeserialize(string manifest) => manifest == "int.v1";

        public string Manifest(object value) => "int.v1";

        public byte[] ToBinary(object value) => BitConverter.GetBytes((int)value);

        public object FromBinary(ReadOnlySpan<byte> bytes, string manifest) => BitConverter.ToInt32(bytes);
    }

    [Fact]
    public void Unknown_type_and_unknown_manifest_throw_SerializationException()
    {
        var registry = new SerializerRegistry();
        registry.Add(new IntOnly());
        Assert.Throws<SerializationException>(() => registry.Serialize("text"));
        Assert.Throws<SerializationException>(() => registry.Deserialize([1, 2], "other.v1"));
    }

    [Fact]
    public void The_first_added_serializer_that_accepts_a_type_wins_and_round_trips()
    {
        var registry = new SerializerRegistry();
        registry.Add(new IntOnly());
        registry.Add(new TestPayloadSerializer());
        var (manifest, bytes) = registry.Serialize(42);
        Assert.Equal("int.v1", manifest);
        Assert.Equal(42, registry.Deserialize(bytes, manifest));

        var point = registry.Serialize(new Point(1, 2));
        Assert.Equal(typeof(Point).FullName + ".v1", point.Manifest);
        Assert.Equal(new Point(1, 2), registry.Deserialize(point.Bytes, point.Manifest));
    }

    [Fact]
    public void Test_serializer_reads_registered_manifests_and_rejects_corrupt_bytes()
    {
        var serializer = new TestPayloadSerializer();
        Assert.False(serializer.CanDeserialize(typeof(Point).FullName + ".v1"));
        serializer.Register<Point>();
        Assert.True(serializer.CanDeserialize(typeof(Point).FullName + ".v1"));
        Assert.Throws<SerializationException>(() => serializer.FromBinary("{not json"u8, typeof(Point).FullName + ".v1"));
    }
}
