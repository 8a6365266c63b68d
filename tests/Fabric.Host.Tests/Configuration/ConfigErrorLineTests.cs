using Fabric.Host.Configuration;
using Fabric.Host.Configuration.Hocon;
using FsCheck;
using FsCheck.Fluent;

namespace Fabric.Host.Tests.Configuration;

/// <summary>Every configuration error is one line, <c>file:line:column: path: reason</c>, and nothing else escapes the loader.</summary>
public sealed class ConfigErrorLineTests
{
    private static NodeSettings Load(string hocon) => NodeSettingsLoader.FromConfig(ConfigReader.ParseString(hocon, "fabric.conf"));

    private static string Error(string hocon) => Assert.Throws<ConfigException>(() => Load(hocon)).Message;

    [Fact]
    public void A_key_with_line_breaks_is_quoted_on_one_line()
    {
        Assert.Equal("fabric.conf:1:17: fabric.\"a\\nb\": unknown setting", Error("fabric.\"a\\nb\" = 1"));
    }

    [Fact]
    public void A_bridge_without_a_name_is_positioned_at_the_bridge()
    {
        Assert.Equal(
            "fabric.conf:2:3: fabric.bridges[0].name: bridge name '' must be 1-15 letters, digits, '-' or '_'",
            Error("fabric.bridges = [\n  { ports = [] }\n]"));
    }

    [Fact]
    public void An_interface_used_twice_is_positioned_at_its_second_use()
    {
        Assert.Equal(
            "fabric.conf:3:36: fabric.bridges[1].ports[0].name: interface 'v1' is already used by fabric.bridges[0].ports[0]",
            Error("fabric.bridges = [\n  { name = br0, ports = [ { name = v1 } ] }\n  { name = br1, ports = [ { name = v1 } ] }\n]"));
    }

    [Fact]
    public void An_include_name_with_a_nul_character_is_a_config_error()
    {
        Assert.Equal(
            "fabric.conf:1:10: fabric: an include file name must be non-empty and contain no NUL character",
            Error("fabric { include required(\"a\\u0000b\") }"));
    }

    [Fact]
    public async Task The_unterminated_array_that_hangs_akka_is_one_error_line_at_once()
    {
        // Akka's own parser never returns on this text (akka-notes §10); the guard fails the test instead of hanging it.
        var parse = Task.Run(() => Assert.Throws<ConfigException>(() => ConfigReader.ParseString("a {\n  b = 1\n  c = [1, 2\n}\n", "bad.conf")));

        var e = await parse.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("bad.conf:4:1: a.c: expected a value or ']' in the array opened at 3:7, got '}'", e.Message);
    }

    /// <summary>Random text made of HOCON's punctuation and Fabric's key names: it loads, or fails with one line.</summary>
    [Fact]
    public void Any_text_loads_or_fails_with_one_config_error_line()
    {
        var pieces = Gen.Elements(
            "{", "}", "[", "]", "=", ":", ",", "\"", "\"\"\"", "${", "${?", "+=", "#", "//", " ", "\n", "\t", "\\", ".", "1", "-5", "100",
            "fabric", "datapath", "bridges", "ports", "name", "tag", "emc-entries", "akka", "include", "null", "true", "10ms", "x");
        Prop.ForAll(pieces.ArrayOf().Select(string.Concat).ToArbitrary(), text =>
        {
            try
            {
                Load(text);
                return true;
            }
            catch (ConfigException e)
            {
                return !e.Message.Contains('\n', StringComparison.Ordinal) && !e.Message.Contains('\r', StringComparison.Ordinal);
            }
        }).QuickCheckThrowOnFailure();
    }
}
