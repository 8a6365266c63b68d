using Akka.Configuration;
using Fabric.Host.Configuration;
using Fabric.Host.Configuration.Hocon;
using FsCheck;
using Config = Akka.Configuration.Config;
using FsCheck.Fluent;

namespace Fabric.Host.Tests.Configuration;

/// <summary>
/// The file's <c>akka</c> section reaches Akka.NET as its own <see cref="Config"/>: rendered by Fabric, parsed by Akka,
/// read back with Akka's getters. (Both HOCON namespaces are in scope here: no type name is ambiguous.)
/// </summary>
public sealed class AkkaConfigTests
{
    private static Config Akka(string hocon) =>
        NodeSettingsLoader.FromConfig(ConfigReader.ParseString(hocon, "fabric.conf")).AkkaConfig;

    [Fact]
    public void No_akka_section_is_an_empty_config()
    {
        Assert.True(Akka("fabric.node-name = n1").IsEmpty);
        Assert.True(Akka("akka {}").IsEmpty);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("\"with \\\"quotes\\\" inside\"", "with \"quotes\" inside")]
    [InlineData("\"back\\\\slash\\\\\"", "back\\slash\\")]
    [InlineData("\"costs $5 or ${x}\"", "costs $5 or ${x}")]
    [InlineData("\"{ not an object }\"", "{ not an object }")]
    [InlineData("\"a = b, c: d # not a comment // nor this\"", "a = b, c: d # not a comment // nor this")]
    [InlineData("\"tab\\tnew\\nline\"", "tab\tnew\nline")]
    [InlineData("\"unicode é € \\u0001\"", "unicode é € \u0001")]
    [InlineData("\"\"", "")]
    [InlineData("two words", "two words")]
    [InlineData("\"Akka.Event.DefaultLogger, Akka\"", "Akka.Event.DefaultLogger, Akka")]
    public void Strings_survive(string written, string expected)
    {
        Assert.Equal(expected, Akka($"akka.x = {written}").GetString("akka.x"));
    }

    /// <summary>
    /// Any key and any string value (control characters, quotes, surrogates, HOCON syntax) reach Akka as written, as far
    /// as Akka's reading of a string allows: <c>HoconValue.GetString</c> trims the value and reads the text <c>null</c>
    /// as null, whoever wrote the HOCON (the same happens when Akka parses a file itself).
    /// </summary>
    [Fact]
    public void Any_key_and_string_value_survive()
    {
        var text = ArbMap.Default.ArbFor<NonNull<string>>();
        Prop.ForAll(text, text, (key, value) =>
        {
            var source = new System.Text.StringBuilder("akka { ");
            HoconPath.AppendQuoted(source, key.Get);
            HoconPath.AppendQuoted(source.Append(" = "), value.Get);
            var items = Akka(source.Append(" }").ToString()).GetConfig("akka").Root.GetObject().Items;
            var expected = value.Get.Trim() is var trimmed && trimmed == "null" ? null : trimmed;
            return items.Count == 1 && items.TryGetValue(key.Get, out var read) && read.GetString() == expected;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Akka_trims_string_values_and_reads_null_text_as_null()
    {
        var c = Akka("akka { padded = \"  x  \", word = \"null\" }");

        Assert.Equal("x", c.GetString("akka.padded"));
        Assert.Null(c.GetString("akka.word"));
    }

    [Fact]
    public void Durations_sizes_booleans_and_numbers_survive()
    {
        var c = Akka("""
            akka {
              ask-timeout = 500ms
              shutdown = 2 minutes
              bare = 300
              frame = 128KiB
              big = 4MB
              on = on
              off = false
              count = 42
              negative = -7
              long = 9000000000
              ratio = 1.5
              exp = 1e3
            }
            """);

        Assert.Equal(TimeSpan.FromMilliseconds(500), c.GetTimeSpan("akka.ask-timeout"));
        Assert.Equal(TimeSpan.FromMinutes(2), c.GetTimeSpan("akka.shutdown"));
        Assert.Equal(TimeSpan.FromMilliseconds(300), c.GetTimeSpan("akka.bare"));
        Assert.Equal(128 * 1024, c.GetByteSize("akka.frame"));
        Assert.Equal(4_000_000, c.GetByteSize("akka.big"));
        Assert.True(c.GetBoolean("akka.on"));
        Assert.False(c.GetBoolean("akka.off"));
        Assert.Equal(42, c.GetInt("akka.count"));
        Assert.Equal(-7, c.GetInt("akka.negative"));
        Assert.Equal(9_000_000_000L, c.GetLong("akka.long"));
        Assert.Equal(1.5, c.GetDouble("akka.ratio"));
        Assert.Equal(1000.0, c.GetDouble("akka.exp"));
    }

    [Fact]
    public void Lists_of_strings_and_numbers_survive()
    {
        var c = Akka("""
            akka.loggers = ["Akka.Event.DefaultLogger, Akka", "x \"y\""]
            akka.cluster.seed-nodes = [
              "akka.tcp://fabric@10.0.0.1:4053"
              "akka.tcp://fabric@10.0.0.2:4053"
            ]
            akka.ports = [1, 2, 3]
            akka.none = []
            """);

        Assert.Equal(new[] { "Akka.Event.DefaultLogger, Akka", "x \"y\"" }, c.GetStringList("akka.loggers"));
        Assert.Equal(new[] { "akka.tcp://fabric@10.0.0.1:4053", "akka.tcp://fabric@10.0.0.2:4053" }, c.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal(new[] { 1, 2, 3 }, c.GetIntList("akka.ports"));
        Assert.Empty(c.GetStringList("akka.none"));
    }

    [Fact]
    public void Nested_objects_quoted_keys_and_empty_objects_survive()
    {
        var c = Akka("""
            akka.actor {
              serializers { hyperion = "Akka.Serialization.HyperionSerializer, Akka.Serialization.Hyperion" }
              serialization-bindings {
                "Fabric.Foo, Fabric" = hyperion
                "System.Object" = hyperion
              }
              deployment {
                "/user/datapath" { dispatcher = pinned }
                "/user/a.b" { mailbox = bounded }
              }
              "key with space" = 1
              "include" = 2
              nothing {}
            }
            """);

        var bindings = c.GetConfig("akka.actor.serialization-bindings");
        Assert.Equal("hyperion", bindings.GetString("\"Fabric.Foo, Fabric\""));
        Assert.Equal("hyperion", bindings.GetString("\"System.Object\""));
        Assert.Equal(2, bindings.AsEnumerable().Count());
        Assert.Equal("Akka.Serialization.HyperionSerializer, Akka.Serialization.Hyperion", c.GetString("akka.actor.serializers.hyperion"));
        Assert.Equal("pinned", c.GetConfig("akka.actor.deployment").GetString("\"/user/datapath\".dispatcher"));
        Assert.Equal("bounded", c.GetConfig("akka.actor.deployment").GetString("\"/user/a.b\".mailbox"));
        Assert.Equal(1, c.GetInt("akka.actor.\"key with space\""));
        Assert.Equal(2, c.GetInt("akka.actor.\"include\""));
        Assert.True(c.HasPath("akka.actor.nothing"));
        Assert.True(c.GetConfig("akka.actor.nothing").IsEmpty);
    }

    [Fact]
    public void Substitutions_are_resolved_before_akka_sees_the_section()
    {
        var c = Akka("""
            base-timeout = 3s
            akka.a = ${base-timeout}
            akka.b = ${akka.a}
            akka.c = ${?FABRIC_TEST_SURELY_UNSET_VARIABLE}
            akka.d = ${?FABRIC_TEST_SURELY_UNSET_VARIABLE} fallback
            """);

        Assert.Equal(TimeSpan.FromSeconds(3), c.GetTimeSpan("akka.a"));
        Assert.Equal(TimeSpan.FromSeconds(3), c.GetTimeSpan("akka.b"));
        Assert.False(c.HasPath("akka.c"));
        Assert.Equal("fallback", c.GetString("akka.d"));
    }

    [Fact]
    public void The_section_holds_only_akka()
    {
        var c = Akka("akka.loglevel = DEBUG\nfabric.node-name = n1");

        Assert.Equal("DEBUG", c.GetString("akka.loglevel"));
        Assert.False(c.HasPath("fabric"));
    }

    [Fact]
    public void An_akka_section_that_is_not_an_object_is_a_positioned_error()
    {
        var e = Assert.Throws<ConfigException>(() => Akka("akka = 5"));
        Assert.Equal("fabric.conf:1:8: akka: expected an object, got '5'", e.Message);
    }
}
