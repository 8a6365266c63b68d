using Fabric.Host.Configuration.Hocon;
using Xunit;

namespace Fabric.Host.Tests.Configuration;

public sealed class HoconSubstitutionTests
{
    public static TheoryData<string, string, string> Resolved => new()
    {
        { "a = 1\nb = ${a}", "b", "1" },
        { "b = ${a}\na = 1", "b", "1" },                              // forward reference
        { "a = 1\nb = ${a}\na = 2", "b", "2" },                       // last definition wins
        { "a { x = 1 }\nb = ${a.x}", "b", "1" },
        { "a { x = 1 }\nb = ${a}\nb.y = 2", "b.x", "1" },             // substituted object merges with later keys
        { "a { x = 1 }\nb = ${a}\nb.y = 2", "b.y", "2" },
        { "a = foo\nb = ${a} bar", "b", "foo bar" },                  // string concatenation keeps whitespace
        { "a = foo\nb = ${a}\"-\"${a}", "b", "foo-foo" },
        { "a = \"x\"\nb = \"${a}\"", "b", "${a}" },                   // no substitution inside quotes
        { "a = 10\nb = ${a}ms", "b", "10ms" },
        { "a { x = 1 }\nb = ${a} { y = 2 }", "b.x", "1" },            // object concatenation with a substitution
        { "a { x = 1 }\nb = ${a} { x = 3 }", "b.x", "3" },
        { "a = ${?missing}\na = 5", "a", "5" },
        { "a = 5\na = ${?missing}", "a", "5" },                       // undefined optional keeps the earlier value
        { "b = ${a.x}\na = ${c}\nc { x = deep }", "b", "deep" },      // chained through an object
        { "x { a = 1, b = ${x.a} }", "x.b", "1" },                    // reference into the object being defined
        { "a = ${?missing} foo", "a", "foo" },                        // undefined part dropped with its whitespace
        { "\"a.b\" = 1\nc = ${\"a.b\"}", "c", "1" },
        { "a = 1\nb = ${ a }", "b", "1" },
    };

    [Theory]
    [MemberData(nameof(Resolved))]
    public void Resolves_substitutions(string hocon, string path, string expected)
    {
        Assert.Equal(expected, ConfigReader.ParseString(hocon).GetString(path));
    }

    public static TheoryData<string, string, string[]> ResolvedArrays => new()
    {
        { "a = [1, 2]\nb = ${a} [3]", "b", ["1", "2", "3"] },
        { "a = [1, 2]\na = ${a} [3]", "a", ["1", "2", "3"] },         // self-reference: previous value
        { "a = [1]\na = ${a} [2]\na = ${a} [3]", "a", ["1", "2", "3"] },
        { "a = [1]\na += 2\na += 3", "a", ["1", "2", "3"] },
        { "a = ${?a} [1]", "a", ["1"] },                              // self-reference without a previous value
        { "x { p = [1] }\nx { p = ${x.p} [2] }", "x.p", ["1", "2"] },
        { "a = [1, ${?missing}, 2]", "a", ["1", "2"] },              // undefined element dropped
        { "b = [x]\na = [${b}]", "a", ["[\"x\"]"] },
        { "x { a = [1], a = ${x.a} [2] }", "x.a", ["1", "2"] },      // previous value inside the same object literal
        { "x { a = [1] }\nx { a += 2, a += 3 }", "x.a", ["1", "2", "3"] },
        { "a = [0]\na = ${a} ${?nothing} [1]", "a", ["0", "1"] },
    };

    [Theory]
    [MemberData(nameof(ResolvedArrays))]
    public void Resolves_array_substitutions(string hocon, string path, string[] expected)
    {
        var array = Assert.IsType<ConfigArray>(ConfigReader.ParseString(hocon).GetValue(path));
        Assert.Equal(expected, array.Items.Select(i => i is ConfigScalar s ? s.Text : i.ToString()).ToArray());
    }

    [Fact]
    public void Self_referential_object_merge_keeps_previous_keys()
    {
        var config = ConfigReader.ParseString("a { x = 1 }\na = ${a} { y = 2 }");
        Assert.Equal(1, config.GetInt("a.x"));
        Assert.Equal(2, config.GetInt("a.y"));
    }

    [Fact]
    public void Self_referential_string_appends()
    {
        var config = ConfigReader.ParseString("path = /usr/bin\npath = ${path}\":/opt/bin\"");
        Assert.Equal("/usr/bin:/opt/bin", config.GetString("path"));
    }

    [Fact]
    public void Optional_undefined_substitution_creates_no_field()
    {
        var config = ConfigReader.ParseString("a = ${?FABRIC_HOCON_TEST_SURELY_UNSET_9f2c}\nb = 1");
        Assert.False(config.HasPath("a"));
        Assert.Null(config.GetValue("a"));
        Assert.Equal(["b"], config.Keys);
    }

    [Fact]
    public void Substituted_value_keeps_the_type_and_origin_of_its_definition()
    {
        var config = ConfigReader.ParseString("a = 42\nb = ${a}", "subst.conf");
        var value = Assert.IsType<ConfigScalar>(config.GetValue("b"));
        Assert.Equal(ConfigScalarKind.Number, value.Kind);
        Assert.Equal("subst.conf:1:5", config.GetOrigin("b"));
    }

    [Fact]
    public void Environment_variables_are_the_fallback_for_substitutions()
    {
        var name = "FABRIC_HOCON_TEST_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(name, "/home/fabric");
        try
        {
            var config = ConfigReader.ParseString(
                $"home = ${{{name}}}\njoined = ${{{name}}}/state\n{name} = from-config");
            Assert.Equal("from-config", config.GetString("home"));      // config path wins over the environment
            Assert.Equal("from-config/state", config.GetString("joined"));
            var envOnly = ConfigReader.ParseString($"home = ${{{name}}}\nopt = ${{?{name}}}\njoined = ${{{name}}}/state");
            Assert.Equal("/home/fabric", envOnly.GetString("home"));
            Assert.Equal("/home/fabric", envOnly.GetString("opt"));
            Assert.Equal("/home/fabric/state", envOnly.GetString("joined"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void Self_reference_without_previous_value_uses_the_environment()
    {
        var name = "FABRIC_HOCON_PATH_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(name, "/bin");
        try
        {
            var config = ConfigReader.ParseString($"{name} = ${{{name}}}\":/opt\"");
            Assert.Equal("/bin:/opt", config.GetString(name));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    public static TheoryData<string, string, int, int, string> Errors => new()
    {
        { "a = ${missing}", "<string>", 1, 5, "a: could not resolve substitution ${missing}" },
        { "a = 1\nb {\n  c = ${a.nope}\n}", "<string>", 3, 7, "b.c: could not resolve substitution ${a.nope}" },
        { "a = ${b}\nb = ${a}", "<string>", 1, 5, "a: cycle in substitutions: ${b} -> ${a} -> ${b}" },
        { "a = ${a}", "<string>", 1, 5, "a: could not resolve substitution ${a}" },
        { "a = [1]\nb = ${a} foo", "<string>", 2, 5, "b: cannot concatenate an array and a string" },
        { "a { x = 1 }\nb = ${a} [1]", "<string>", 2, 5, "b: cannot concatenate an object and an array" },
        { "b = [ { n = 1 }, { n = ${nope} } ]", "<string>", 1, 24, "b[1].n: could not resolve substitution ${nope}" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Resolution_errors_name_the_substitution_and_position(string hocon, string file, int line, int column, string detail)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigReader.ParseString(hocon));
        Assert.Equal((file, line, column), (e.File, e.Line, e.Column));
        Assert.StartsWith($"{file}:{line}:{column}: {detail}", e.Message);
    }
}
