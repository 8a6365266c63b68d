using Fabric.Host.Configuration.Hocon;
using Xunit;

namespace Fabric.Host.Tests.Configuration;

public sealed class ConfigGetterTests
{
    public static TheoryData<string, long> Durations => new()
    {
        { "10s", 10 * TimeSpan.TicksPerSecond },
        { "10 s", 10 * TimeSpan.TicksPerSecond },
        { "\"10 s\"", 10 * TimeSpan.TicksPerSecond },
        { "500ms", 500 * TimeSpan.TicksPerMillisecond },
        { "2 minutes", 2 * TimeSpan.TicksPerMinute },
        { "300", 300 * TimeSpan.TicksPerMillisecond },
        { "\"300\"", 300 * TimeSpan.TicksPerMillisecond },
        { "1.5s", 15 * TimeSpan.TicksPerSecond / 10 },
        { "0", 0 },
        { "1d", TimeSpan.TicksPerDay },
        { "3 days", 3 * TimeSpan.TicksPerDay },
        { "1h", TimeSpan.TicksPerHour },
        { "2 hours", 2 * TimeSpan.TicksPerHour },
        { "5m", 5 * TimeSpan.TicksPerMinute },
        { "1 second", TimeSpan.TicksPerSecond },
        { "7 millis", 7 * TimeSpan.TicksPerMillisecond },
        { "7 milliseconds", 7 * TimeSpan.TicksPerMillisecond },
        { "7 milli", 7 * TimeSpan.TicksPerMillisecond },
        { "250us", 2500 },
        { "3 micros", 30 },
        { "1 microsecond", 10 },
        { "100ns", 1 },
        { "149 nanos", 1 },          // rounded to the nearest 100 ns tick
        { "150 nanoseconds", 2 },
        { "1 nano", 0 },
    };

    [Theory]
    [MemberData(nameof(Durations))]
    public void Durations_follow_akka_rules(string text, long ticks)
    {
        var config = ConfigReader.ParseString($"d = {text}");
        Assert.Equal(TimeSpan.FromTicks(ticks), config.GetTimeSpan("d"));
    }

    [Theory]
    [InlineData("infinite")]
    [InlineData("Infinite")]
    [InlineData("INFINITE")]
    public void Infinite_duration(string text)
    {
        var config = ConfigReader.ParseString($"d = {text}");
        Assert.Equal(Timeout.InfiniteTimeSpan, config.GetTimeSpan("d"));
        var e = Assert.Throws<ConfigException>(() => config.GetTimeSpan("d", allowInfinite: false));
        Assert.Contains("'infinite' is not allowed", e.Message);
    }

    public static TheoryData<string, int, int> BadDurations => new()
    {
        { "d = 10S", 1, 5 },
        { "d = 10sec", 1, 5 },
        { "d = 1h30m", 1, 5 },
        { "d = -1s", 1, 5 },
        { "d = \"-5\"", 1, 5 },
        { "x = 1\n  d = ms", 2, 7 },
        { "d = 1.s", 1, 5 },
        { "d = off", 1, 5 },
        { "d = 10 Seconds", 1, 5 },
        { "d = [1]", 1, 5 },
    };

    [Theory]
    [MemberData(nameof(BadDurations))]
    public void Invalid_durations_throw_with_position(string hocon, int line, int column)
    {
        var config = ConfigReader.ParseString(hocon, "fabric.conf");
        var e = Assert.Throws<ConfigException>(() => config.GetTimeSpan("d"));
        Assert.Equal(("fabric.conf", line, column), (e.File, e.Line, e.Column));
        Assert.StartsWith($"fabric.conf:{line}:{column}: d: expected a duration", e.Message);
    }

    [Fact]
    public void Duration_defaults_and_missing()
    {
        var config = ConfigReader.ParseString("n = null");
        Assert.Equal(TimeSpan.FromSeconds(3), config.GetTimeSpan("missing", TimeSpan.FromSeconds(3)));
        Assert.Equal(TimeSpan.FromSeconds(3), config.GetTimeSpan("n", TimeSpan.FromSeconds(3)));
        var e = Assert.Throws<ConfigException>(() => config.GetTimeSpan("missing"));
        Assert.Contains("missing", e.Message);
    }

    public static TheoryData<string, long> Sizes => new()
    {
        { "0", 0 },
        { "128", 128 },
        { "128000b", 128000 },
        { "10B", 10 },
        { "1 byte", 1 },
        { "2 bytes", 2 },
        { "1kB", 1000 },
        { "1 kilobyte", 1000 },
        { "2 kilobytes", 2000 },
        { "1K", 1024 },
        { "1k", 1024 },
        { "1Ki", 1024 },
        { "1KiB", 1024 },
        { "1 kibibyte", 1024 },
        { "1MB", 1_000_000 },
        { "1M", 1L << 20 },
        { "1m", 1L << 20 },
        { "1MiB", 1L << 20 },
        { "2 mebibytes", 2L << 20 },
        { "1GB", 1_000_000_000 },
        { "1G", 1L << 30 },
        { "1g", 1L << 30 },
        { "1GiB", 1L << 30 },
        { "1TB", 1_000_000_000_000 },
        { "1T", 1L << 40 },
        { "1TiB", 1L << 40 },
        { "1PB", 1_000_000_000_000_000 },
        { "1Pi", 1L << 50 },
        { "1EB", 1_000_000_000_000_000_000 },
        { "1e", 1L << 60 },
        { "1EiB", 1L << 60 },
        { "1.5 KiB", 1536 },
        { "\"64 MiB\"", 64L << 20 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Byte_sizes_follow_the_suffix_table(string text, long bytes)
    {
        Assert.Equal(bytes, ConfigReader.ParseString($"s = {text}").GetByteSize("s"));
    }

    [Theory]
    [InlineData("s = 1kb")]
    [InlineData("s = 1KB")]
    [InlineData("s = 1 mb")]
    [InlineData("s = -1")]
    [InlineData("s = 8EiB")]
    [InlineData("s = lots")]
    public void Invalid_byte_sizes_throw_with_position(string hocon)
    {
        var config = ConfigReader.ParseString(hocon, "fabric.conf");
        var e = Assert.Throws<ConfigException>(() => config.GetByteSize("s"));
        Assert.StartsWith("fabric.conf:1:5: s: expected a size in bytes", e.Message);
    }

    [Fact]
    public void Byte_size_default_and_missing()
    {
        var config = ConfigReader.Empty;
        Assert.Equal(42, config.GetByteSize("x", 42));
        Assert.Throws<ConfigException>(() => config.GetByteSize("x"));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("yes", true)]
    [InlineData("on", true)]
    [InlineData("\"on\"", true)]
    [InlineData("false", false)]
    [InlineData("no", false)]
    [InlineData("off", false)]
    public void Booleans_accept_six_words(string text, bool expected)
    {
        Assert.Equal(expected, ConfigReader.ParseString($"b = {text}").GetBoolean("b", !expected));
    }

    [Theory]
    [InlineData("TRUE")]
    [InlineData("1")]
    [InlineData("enabled")]
    public void Invalid_booleans_throw(string text)
    {
        var config = ConfigReader.ParseString($"b = {text}", "fabric.conf");
        var e = Assert.Throws<ConfigException>(() => config.GetBoolean("b"));
        Assert.Equal($"fabric.conf:1:5: b: expected a boolean (true/false, yes/no, on/off), got '{text}'", e.Message);
    }

    [Fact]
    public void Numbers_and_defaults()
    {
        var config = ConfigReader.ParseString("i = 42\nq = \"17\"\nneg = -3\nl = 9000000000\nd = 2.5\ne = 1e3\nn = null");
        Assert.Equal(42, config.GetInt("i"));
        Assert.Equal(17, config.GetInt("q"));
        Assert.Equal(-3, config.GetInt("neg"));
        Assert.Equal(9_000_000_000L, config.GetLong("l"));
        Assert.Equal(2.5, config.GetDouble("d"));
        Assert.Equal(1000.0, config.GetDouble("e"));
        Assert.Equal(7, config.GetInt("missing", 7));
        Assert.Equal(7, config.GetInt("n", 7));
        Assert.Equal(7L, config.GetLong("missing", 7));
        Assert.Equal(0.5, config.GetDouble("missing", 0.5));
        Assert.True(config.GetBoolean("missing", true));
        Assert.Equal("dflt", config.GetString("missing", "dflt"));
    }

    public static TheoryData<string, string, string> TypeErrors => new()
    {
        { "fabric {\n  upcall {\n\tflow-limit = lots\n  }\n}", "int", "fabric.conf:3:15: fabric.upcall.flow-limit: expected a number, got 'lots'" },
        { "fabric.upcall.flow-limit = 1.5", "int", "fabric.conf:1:28: fabric.upcall.flow-limit: expected a whole number in the 32-bit integer range, got '1.5'" },
        { "fabric.upcall.flow-limit = 9000000000", "int", "fabric.conf:1:28: fabric.upcall.flow-limit: expected a whole number in the 32-bit integer range, got '9000000000'" },
        { "fabric.upcall.flow-limit = { x = 1 }", "int", "fabric.conf:1:28: fabric.upcall.flow-limit: expected a number, got an object" },
        { "fabric.upcall.flow-limit = [1]", "long", "fabric.conf:1:28: fabric.upcall.flow-limit: expected a number, got an array" },
        { "fabric.upcall.flow-limit = x1", "double", "fabric.conf:1:28: fabric.upcall.flow-limit: expected a number, got 'x1'" },
        { "fabric.upcall.flow-limit = [1]", "string", "fabric.conf:1:28: fabric.upcall.flow-limit: expected a string, got an array" },
        { "fabric.upcall.flow-limit = 1", "config", "fabric.conf:1:28: fabric.upcall.flow-limit: expected an object, got '1'" },
        { "fabric.upcall.flow-limit = 1", "list", "fabric.conf:1:28: fabric.upcall.flow-limit: expected an array of strings, got '1'" },
        // a value with line breaks is quoted with escapes: the message stays one line
        { "fabric.upcall.flow-limit = \"lots\\nof\\r\\nflows\\u2028\\u0007\"", "int", "fabric.conf:1:28: fabric.upcall.flow-limit: expected a number, got 'lots\\nof\\r\\nflows\\u2028\\u0007'" },
        { "fabric.upcall.flow-limit = \"\"\"two\nlines\"\"\"", "int", "fabric.conf:1:28: fabric.upcall.flow-limit: expected a number, got 'two\\nlines'" },
    };

    [Theory]
    [MemberData(nameof(TypeErrors))]
    public void Type_errors_name_path_and_origin(string hocon, string getter, string message)
    {
        var config = ConfigReader.ParseString(hocon, "fabric.conf");
        const string path = "fabric.upcall.flow-limit";
        Action call = getter switch
        {
            "int" => () => config.GetInt(path),
            "long" => () => config.GetLong(path),
            "double" => () => config.GetDouble(path),
            "string" => () => config.GetString(path),
            "config" => () => config.GetConfig(path),
            _ => () => config.GetStringList(path),
        };
        var e = Assert.Throws<ConfigException>(call);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Type_errors_in_sub_configs_name_the_full_path()
    {
        var config = ConfigReader.ParseString("fabric { upcall { flow-limit = lots } }", "fabric.conf");
        var e = Assert.Throws<ConfigException>(() => config.GetConfig("fabric.upcall").GetInt("flow-limit"));
        Assert.Equal("fabric.conf:1:32: fabric.upcall.flow-limit: expected a number, got 'lots'", e.Message);
    }

    [Fact]
    public void Get_string_without_default_throws_naming_the_path()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigReader.ParseString("a = 1").GetString("b.c"));
        Assert.Contains("b.c", e.Message);
        Assert.Null(e.File);
    }

    [Fact]
    public void String_lists_and_config_lists()
    {
        var config = ConfigReader.ParseString("l = [a, \"b c\", 3, true]\nobjs = [{ n = 1 }, { n = 2 }]\nbad = [[1]]");
        Assert.Equal(["a", "b c", "3", "true"], config.GetStringList("l"));
        Assert.Empty(config.GetStringList("missing"));
        Assert.Equal([1, 2], config.GetConfigList("objs").Select(c => c.GetInt("n")));
        Assert.Empty(config.GetConfigList("missing"));
        Assert.Throws<ConfigException>(() => config.GetStringList("bad"));
        Assert.Throws<ConfigException>(() => config.GetConfigList("l"));
    }

    [Fact]
    public void Get_origin_reports_definition_position()
    {
        var config = ConfigReader.ParseString("a {\n  b = 1\n}\nc.d = [1]", "x.conf");
        Assert.Equal("x.conf:2:7", config.GetOrigin("a.b"));
        Assert.Equal("x.conf:4:7", config.GetOrigin("c.d"));
        Assert.Equal("", config.GetOrigin("missing"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a..b")]
    [InlineData("a.")]
    [InlineData("a b")]
    public void Malformed_paths_throw(string path)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigReader.Empty.HasPath(path));
        Assert.Contains("invalid configuration path", e.Message);
    }
}
