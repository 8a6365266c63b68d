using Fabric.Host.Configuration.Hocon;
using Xunit;

namespace Fabric.Host.Tests.Configuration;

public sealed class HoconIncludeTests : IDisposable
{
    private readonly string _directory;

    public HoconIncludeTests()
    {
        _directory = Path.Combine(Path.GetTempPath(), "fabric-hocon-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(_directory, "conf.d"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string relativePath, string text)
    {
        var path = Path.Combine(_directory, relativePath);
        File.WriteAllText(path, text);
        return path;
    }

    public static TheoryData<string, string, string> IncludeForms => new()
    {
        { "include \"conf.d/part.conf\"", "part.x", "1" },
        { "include file(\"conf.d/part.conf\")", "part.x", "1" },
        { "include required(file(\"conf.d/part.conf\"))", "part.x", "1" },
        { "include required( \"conf.d/part.conf\" )", "part.x", "1" },
        { "include \"conf.d/part\"", "part.x", "1" },                      // .conf added when there is no extension
        { "inner { include \"conf.d/part.conf\" }", "inner.part.x", "1" }, // merges under the including object's path
        { "part.x = 0\ninclude \"conf.d/part.conf\"", "part.x", "1" },     // included value is later: it wins
        { "include \"conf.d/part.conf\"\npart.x = 2", "part.x", "2" },     // later key after include wins
        { "part.y = 7\ninclude \"conf.d/part.conf\"", "part.y", "7" },     // objects merge
        { "include \"conf.d/missing.conf\"\na = 1", "a", "1" },            // missing optional include ignored
    };

    [Theory]
    [MemberData(nameof(IncludeForms))]
    public void Includes_merge_at_the_point_of_inclusion(string mainText, string path, string expected)
    {
        Write("conf.d/part.conf", "part { x = 1 }");
        var main = Write("main.conf", mainText);
        Assert.Equal(expected, ConfigReader.ParseFile(main).GetString(path));
    }

    [Fact]
    public void Nested_includes_are_relative_to_the_including_file()
    {
        Write("conf.d/leaf.conf", "leaf = from-leaf");
        Write("conf.d/mid.conf", "include \"leaf.conf\"\nmid = from-mid");
        var main = Write("main.conf", "include \"conf.d/mid.conf\"");
        var config = ConfigReader.ParseFile(main);
        Assert.Equal("from-leaf", config.GetString("leaf"));
        Assert.Equal("from-mid", config.GetString("mid"));
    }

    [Fact]
    public void Substitutions_resolve_across_includes_and_relative_to_the_include_point()
    {
        Write("conf.d/part.conf", "timeout = 5s\nderived = ${timeout}\nglobal = ${top}\nlist = ${?list} [b]");
        var main = Write("main.conf", "top = T\nnode { list = [a]\ninclude \"conf.d/part.conf\" }\nuse = ${node.timeout}");
        var config = ConfigReader.ParseFile(main);
        Assert.Equal("5s", config.GetString("node.derived"));   // ${timeout} found as node.timeout
        Assert.Equal("T", config.GetString("node.global"));         // falls back to the path as written
        Assert.Equal("5s", config.GetString("use"));
        Assert.Equal(["a", "b"], config.GetStringList("node.list"));
    }

    [Fact]
    public void Origins_name_the_included_file()
    {
        Write("conf.d/part.conf", "\n  part.x = lots");
        var main = Write("main.conf", "include \"conf.d/part.conf\"");
        var config = ConfigReader.ParseFile(main);
        var expectedFile = Path.Combine(_directory, "conf.d", "part.conf");
        Assert.Equal($"{expectedFile}:2:12", config.GetOrigin("part.x"));
        var e = Assert.Throws<ConfigException>(() => config.GetInt("part.x"));
        Assert.Equal($"{expectedFile}:2:12: part.x: expected a number, got 'lots'", e.Message);
        Assert.Equal(expectedFile, e.File);
    }

    [Fact]
    public void Missing_required_include_is_an_error_at_the_include()
    {
        var main = Write("main.conf", "a = 1\n  include required(\"conf.d/nope.conf\")");
        var e = Assert.Throws<ConfigException>(() => ConfigReader.ParseFile(main));
        Assert.Equal((main, 2, 3), (e.File, e.Line, e.Column));
        Assert.Contains("required include file 'conf.d/nope.conf' not found", e.Message);
    }

    [Fact]
    public void Parse_errors_in_included_files_point_into_them()
    {
        var part = Write("conf.d/bad.conf", "ok = 1\nbroken");
        var main = Write("main.conf", "include \"conf.d/bad.conf\"");
        var e = Assert.Throws<ConfigException>(() => ConfigReader.ParseFile(main));
        Assert.Equal((part, 2, 7), (e.File, e.Line, e.Column));
        Assert.Equal($"{part}:2:7: broken: expected '=', ':' or '{{' after the key, got end of input", e.Message);
    }

    [Fact]
    public void Errors_in_a_file_included_inside_an_object_name_the_full_path()
    {
        var part = Write("part.conf", "datapath {\n  batch-size 32\n}");
        var main = Write("main.conf", "fabric {\n  include \"part.conf\"\n}");
        var e = Assert.Throws<ConfigException>(() => ConfigReader.ParseFile(main));
        Assert.Equal($"{part}:2:14: fabric.datapath.batch-size: expected '=', ':' or '{{' after the key, got '3'", e.Message);
    }

    [Fact]
    public void Include_cycles_are_detected()
    {
        Write("a.conf", "include \"b.conf\"");
        Write("b.conf", "include \"a.conf\"");
        var e = Assert.Throws<ConfigException>(() => ConfigReader.ParseFile(Path.Combine(_directory, "a.conf")));
        Assert.Contains("include cycle", e.Message);
    }

    [Fact]
    public void Parse_file_reports_missing_file()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigReader.ParseFile(Path.Combine(_directory, "none.conf")));
        Assert.Contains("none.conf", e.Message);
    }

    [Fact]
    public void Parse_string_resolves_includes_against_the_current_directory_with_absolute_paths()
    {
        var part = Write("conf.d/part.conf", "part.x = 1");
        var config = ConfigReader.ParseString($"include \"{part}\"");
        Assert.Equal(1, config.GetInt("part.x"));
    }
}
