using Fabric.Host.Configuration.Hocon;
using Xunit;

namespace Fabric.Host.Tests.Configuration;

public sealed class HoconMergeTests
{
    public static TheoryData<string, string, string?> Merges => new()
    {
        // objects merge recursively
        { "a { x = 1 }\na { y = 2 }", "a.x", "1" },
        { "a { x = 1 }\na { y = 2 }", "a.y", "2" },
        { "a { b { x = 1 } }\na.b.y = 2", "a.b.x", "1" },
        { "a { x = 1 }\na { x = 2 }", "a.x", "2" },
        // non-object replaces
        { "a { x = 1 }\na = 5", "a", "5" },
        { "a = 5\na { x = 1 }", "a.x", "1" },
        { "a = [1]\na = [2, 3]", "a.x", null },
        // null cuts the merge
        { "a { x = 1 }\na = null\na { y = 2 }", "a.x", null },
        { "a { x = 1 }\na = null\na { y = 2 }", "a.y", "2" },
        // later scalar wins
        { "a = 1\na = 2", "a", "2" },
    };

    [Theory]
    [MemberData(nameof(Merges))]
    public void Repeated_keys_follow_the_merge_rules(string hocon, string path, string? expected)
    {
        var config = ConfigReader.ParseString(hocon);
        if (expected is null)
        {
            Assert.False(config.HasPath(path));
        }
        else
        {
            Assert.Equal(expected, config.GetString(path));
        }
    }

    [Fact]
    public void Repeated_array_replaces_instead_of_merging()
    {
        var config = ConfigReader.ParseString("a = [1]\na = [2, 3]");
        Assert.Equal(["2", "3"], config.GetStringList("a"));
    }

    [Fact]
    public void With_fallback_receiver_wins_and_objects_merge()
    {
        var user = ConfigReader.ParseString("akka { loglevel = DEBUG, actor { provider = local } }\nonly-user = 1");
        var reference = ConfigReader.ParseString("akka { loglevel = INFO, stdout-loglevel = WARNING, actor { provider = cluster, timeout = 5s } }\nonly-ref = 2");
        var merged = user.WithFallback(reference);
        Assert.Equal("DEBUG", merged.GetString("akka.loglevel"));
        Assert.Equal("WARNING", merged.GetString("akka.stdout-loglevel"));
        Assert.Equal("local", merged.GetString("akka.actor.provider"));
        Assert.Equal(TimeSpan.FromSeconds(5), merged.GetTimeSpan("akka.actor.timeout"));
        Assert.Equal(1, merged.GetInt("only-user"));
        Assert.Equal(2, merged.GetInt("only-ref"));
        // inputs are untouched
        Assert.False(user.HasPath("akka.stdout-loglevel"));
        Assert.False(reference.HasPath("only-user"));
    }

    [Fact]
    public void With_fallback_non_object_in_receiver_hides_fallback_object()
    {
        var merged = ConfigReader.ParseString("a = 1").WithFallback(ConfigReader.ParseString("a { x = 1 }"));
        Assert.Equal(1, merged.GetInt("a"));
        Assert.False(merged.HasPath("a.x"));
    }

    [Fact]
    public void With_fallback_of_empty_configs()
    {
        var config = ConfigReader.ParseString("a = 1");
        Assert.Equal(1, config.WithFallback(ConfigReader.Empty).GetInt("a"));
        Assert.Equal(1, ConfigReader.Empty.WithFallback(config).GetInt("a"));
    }

    [Fact]
    public void With_fallback_chains()
    {
        var a = ConfigReader.ParseString("x = 1");
        var b = ConfigReader.ParseString("x = 2, y = 2");
        var c = ConfigReader.ParseString("x = 3, y = 3, z = 3");
        var merged = a.WithFallback(b).WithFallback(c);
        Assert.Equal((1, 2, 3), (merged.GetInt("x"), merged.GetInt("y"), merged.GetInt("z")));
    }

    [Fact]
    public void Get_config_returns_sub_tree_or_empty()
    {
        var config = ConfigReader.ParseString("a { b { c = 1 } }");
        var sub = config.GetConfig("a.b");
        Assert.Equal(1, sub.GetInt("c"));
        Assert.True(config.GetConfig("missing").IsEmpty);
        Assert.True(config.GetConfig("a.missing.deeper").IsEmpty);
    }
}
