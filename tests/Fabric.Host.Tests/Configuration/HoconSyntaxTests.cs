using Fabric.Host.Configuration.Hocon;
using Xunit;

namespace Fabric.Host.Tests.Configuration;

public sealed class HoconSyntaxTests
{
    public static TheoryData<string, string, string> StringValues => new()
    {
        // separators and root braces
        { "a = 1", "a", "1" },
        { "a : 1", "a", "1" },
        { "a=1", "a", "1" },
        { "{ a = 1 }", "a", "1" },
        { "{\n  a = 1\n}\n", "a", "1" },
        { "a { b = 1 }", "a.b", "1" },
        { "a : { b = 1 }", "a.b", "1" },
        { "a = { b = 1 }", "a.b", "1" },
        // Allman-style braces (a newline before '{' or '[')
        { "a\n{\n  b\n  {\n    c = 1\n  }\n}", "a.b.c", "1" },
        { "a = # comment\n{ b = 1 }", "a.b", "1" },
        { "a :\n\n  { b = 1 }", "a.b", "1" },
        // field separators: newline, comma, trailing comma
        { "a = 1\nb = 2", "b", "2" },
        { "a = 1, b = 2", "b", "2" },
        { "a = 1, b = 2,", "b", "2" },
        { "a { x = 1, y = 2, }", "a.y", "2" },
        { "a = 1\r\nb = 2\r\n", "b", "2" },
        // comments
        { "# comment\na = 1 # trailing", "a", "1" },
        { "// comment\na = 1 // trailing", "a", "1" },
        { "a = \"x # not a comment\"", "a", "x # not a comment" },
        { "a = \"x // not a comment\"", "a", "x // not a comment" },
        { "a = 1 #c\n#c2\nb = 2", "b", "2" },
        // dotted and quoted keys
        { "a.b.c = 1", "a.b.c", "1" },
        { "\"a.b\".c = 1", "\"a.b\".c", "1" },
        { "a.\"b.c\" = 1", "a.\"b.c\"", "1" },
        { "akka.actor.deployment { \"/user/x\" { router = round-robin-pool } }", "akka.actor.deployment.\"/user/x\".router", "round-robin-pool" },
        { "akka.actor.deployment { /user/x { router = rr } }", "akka.actor.deployment.\"/user/x\".router", "rr" },
        { "\"\" = empty", "\"\"", "empty" },
        { "include = 5", "include", "5" },
        { "a-b_c = 1", "a-b_c", "1" },
        // quoted strings with JSON escapes
        { "a = \"q\\\"uote\"", "a", "q\"uote" },
        { "a = \"tab\\there\"", "a", "tab\there" },
        { "a = \"nl\\nx\"", "a", "nl\nx" },
        { "a = \"\\u0041\\u00e9\"", "a", "A\u00e9" },
        { "a = \"back\\\\slash\\/\"", "a", "back\\slash/" },
        { "a = \"\"", "a", "" },
        // triple-quoted
        { "a = \"\"\"raw \\n \"quoted\" \n line2\"\"\"", "a", "raw \\n \"quoted\" \n line2" },
        { "a = \"\"\"x\"\"\"\"\"", "a", "x\"\"" },
        // unquoted strings and concatenation
        { "a = foo", "a", "foo" },
        { "a = foo bar", "a", "foo bar" },
        { "a = foo   bar  baz  ", "a", "foo   bar  baz" },
        { "a = 10 s", "a", "10 s" },
        { "a = \"foo\"bar", "a", "foobar" },
        { "a = \"foo\" \"bar\"", "a", "foo bar" },
        { "a = /user/x", "a", "/user/x" },
        { "a = 1.5", "a", "1.5" },
        { "a = true", "a", "true" },
        { "a = on", "a", "on" },
        { "a = foo.bar.baz", "a", "foo.bar.baz" },
        { "a = \"Akka.Event.DefaultLogger, Akka\"", "a", "Akka.Event.DefaultLogger, Akka" },
    };

    [Theory]
    [MemberData(nameof(StringValues))]
    public void Parses_string_values(string hocon, string path, string expected)
    {
        var config = ConfigReader.ParseString(hocon);
        Assert.Equal(expected, config.GetString(path));
    }

    public static TheoryData<string, ConfigScalarKind> ScalarKinds => new()
    {
        { "a = 42", ConfigScalarKind.Number },
        { "a = -1.5e3", ConfigScalarKind.Number },
        { "a = 0", ConfigScalarKind.Number },
        { "a = true", ConfigScalarKind.Boolean },
        { "a = false", ConfigScalarKind.Boolean },
        { "a = \"42\"", ConfigScalarKind.String },
        { "a = 42 s", ConfigScalarKind.String },
        { "a = 01", ConfigScalarKind.String },
        { "a = -0", ConfigScalarKind.Number },
        { "a = 1.5E-2", ConfigScalarKind.Number },
        { "a = 1.", ConfigScalarKind.String },
        { "a = 1.e5", ConfigScalarKind.String },
        { "a = 1e", ConfigScalarKind.String },
        { "a = -", ConfigScalarKind.String },
        { "a = 1_000", ConfigScalarKind.String },
        { "a = yes", ConfigScalarKind.String },
        { "a = True", ConfigScalarKind.String },
    };

    [Theory]
    [MemberData(nameof(ScalarKinds))]
    public void Classifies_scalars(string hocon, ConfigScalarKind kind)
    {
        var value = Assert.IsType<ConfigScalar>(ConfigReader.ParseString(hocon).GetValue("a"));
        Assert.Equal(kind, value.Kind);
    }

    [Fact]
    public void Null_value_is_a_null_node_and_not_a_path()
    {
        var config = ConfigReader.ParseString("a = null\nb = \"null\"");
        Assert.IsType<ConfigNull>(config.GetValue("a"));
        Assert.False(config.HasPath("a"));
        Assert.Equal("fallback", config.GetString("a", "fallback"));
        Assert.Equal("null", config.GetString("b"));
    }

    public static TheoryData<string, string[]> Arrays => new()
    {
        { "a = [1, 2, 3]", ["1", "2", "3"] },
        { "a = [1, 2, 3,]", ["1", "2", "3"] },
        { "a = [\n  1\n  2\n  3\n]", ["1", "2", "3"] },
        { "a = [ # c\n 1, // c\n 2 ]", ["1", "2"] },
        { "a = []", [] },
        { "a = [foo bar, \"x,y\", \"\"\"t\"\"\"]", ["foo bar", "x,y", "t"] },
        { "a = [1, 2] [3]", ["1", "2", "3"] },
        { "a = [1] [] [2, 3]", ["1", "2", "3"] },
        { "a = [1]\na += 2", ["1", "2"] },
        { "a += 1\na += 2", ["1", "2"] },
        { "x { a = [1] }\nx.a += [2, 3]", ["1", "[2, 3]"] },
        { "a =\n[\n  1\n  2\n]", ["1", "2"] },
    };

    [Theory]
    [MemberData(nameof(Arrays))]
    public void Parses_arrays(string hocon, string[] expected)
    {
        var config = ConfigReader.ParseString(hocon);
        var path = config.HasPath("a") ? "a" : "x.a";
        var array = Assert.IsType<ConfigArray>(config.GetValue(path));
        var texts = new List<string>();
        foreach (var item in array.Items)
        {
            texts.Add(item is ConfigScalar s ? s.Text : item.ToString());
        }

        Assert.Equal(expected, texts);
    }

    [Fact]
    public void Arrays_hold_objects_and_nested_arrays()
    {
        var config = ConfigReader.ParseString("a = [{ x = 1 }, { x = 2, y.z = 3 }]\nb = [[1, 2], [3]]");
        var list = config.GetConfigList("a");
        Assert.Equal(2, list.Count);
        Assert.Equal(1, list[0].GetInt("x"));
        Assert.Equal(3, list[1].GetInt("y.z"));
        var nested = Assert.IsType<ConfigArray>(config.GetValue("b"));
        Assert.Equal(2, Assert.IsType<ConfigArray>(nested.Items[0]).Count);
    }

    [Fact]
    public void Object_concatenation_merges_adjacent_objects()
    {
        var config = ConfigReader.ParseString("a = { x = 1, y = 1 } { y = 2, z = 3 }");
        Assert.Equal(1, config.GetInt("a.x"));
        Assert.Equal(2, config.GetInt("a.y"));
        Assert.Equal(3, config.GetInt("a.z"));
    }

    [Fact]
    public void Keys_are_in_definition_order()
    {
        var config = ConfigReader.ParseString("z = 1\na = 2\nm { q = 1 }\na = 3\nk.x = 1");
        Assert.Equal(["z", "a", "m", "k"], config.Keys);
        Assert.Equal(3, config.GetInt("a"));
    }

    [Fact]
    public void Dotted_keys_expand_to_nested_objects()
    {
        var dotted = ConfigReader.ParseString("a.b.c = 1\na.b.d = 2");
        var nested = ConfigReader.ParseString("a { b { c = 1, d = 2 } }");
        Assert.Equal(nested.ToString(), dotted.ToString());
        Assert.Equal(["b"], dotted.GetConfig("a").Keys);
    }

    [Fact]
    public void As_enumerable_flattens_leaves_with_quoted_segments()
    {
        var config = ConfigReader.ParseString("a { b = 1, \"c.d\" = [x], e = null, f {} }\ng = s");
        var flat = config.AsEnumerable().Select(p => p.Key).ToList();
        Assert.Equal(["a.b", "a.\"c.d\"", "a.e", "g"], flat);
    }

    [Fact]
    public void Empty_document_is_empty()
    {
        Assert.True(ConfigReader.ParseString("").IsEmpty);
        Assert.True(ConfigReader.ParseString("# only a comment\n\n").IsEmpty);
        Assert.True(ConfigReader.ParseString("{}").IsEmpty);
        Assert.True(ConfigReader.Empty.IsEmpty);
        Assert.False(ConfigReader.ParseString("a = 1").IsEmpty);
    }

    [Fact]
    public void To_string_renders_parseable_hocon()
    {
        var config = ConfigReader.ParseString("a { b = \"x\\ny\", c = [1, true, null], \"d.e\" = 2.5 }\nf {}");
        var again = ConfigReader.ParseString(config.ToString());
        Assert.Equal(config.ToString(), again.ToString());
        Assert.Equal("x\ny", again.GetString("a.b"));
        Assert.Equal(2.5, again.GetDouble("a.\"d.e\""));
    }
}
