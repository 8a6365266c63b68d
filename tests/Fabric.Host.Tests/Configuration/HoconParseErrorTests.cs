using Fabric.Host.Configuration.Hocon;
using Xunit;

namespace Fabric.Host.Tests.Configuration;

public sealed class HoconParseErrorTests
{
    public static TheoryData<string, int, int, string> Errors => new()
    {
        // missing separator / value
        { "fabric {\n  datapath {\n    mac-table-size 8192\n  }\n}", 3, 20, "fabric.datapath.mac-table-size: expected '=', ':' or '{' after the key, got '8'" },
        { "a = 1\nb", 2, 2, "b: expected '=', ':' or '{' after the key, got end of input" },
        { "a =\nb = 2", 1, 4, "a: expected a value, got end of line" },
        { "a = # nothing\n", 1, 14, "a: expected a value, got end of line" },
        { "a = 1\nb :", 2, 4, "b: expected a value, got end of input" },
        { "a.b = ,", 1, 7, "a.b: expected a value, got ','" },
        // unterminated strings (position of the opening quote)
        { "a = 1\nb = \"abc", 2, 5, "b: unterminated quoted string: no closing '\"' before end of input" },
        { "a = \"abc\nb = 1", 1, 5, "a: unterminated quoted string: no closing '\"' before end of line" },
        { "x {\n  a = \"\"\"abc\n", 2, 7, "x.a: unterminated triple-quoted string: no closing '\"\"\"' before end of input" },
        { "\"abc = 1", 1, 1, "unterminated quoted string: no closing '\"' before end of input" },
        { "a = \"bad \\q escape\"", 1, 10, "a: invalid escape sequence '\\q' in quoted string" },
        { "a = \"\\u12G4\"", 1, 6, "a: invalid \\u escape: expected 4 hexadecimal digits" },
        // unbalanced braces and brackets
        { "a {\n  b = 1\n", 3, 1, "a: expected '}' to close the object opened at 1:3, got end of input" },
        { "a {\n  b { c = 1 }", 2, 14, "a: expected '}' to close the object opened at 1:3, got end of input" },
        { "a = 1\n}", 2, 1, "unexpected '}' with no matching '{'" },
        { "{ a = 1 }\n}", 2, 1, "unexpected '}' after the closing '}' of the root object" },
        { "a = [1, 2", 1, 10, "a: expected ']' to close the array opened at 1:5, got end of input" },
        { "a = [1, 2 }", 1, 11, "a: expected ',' or ']' in the array opened at 1:5, got '}'" },
        { "a = [1,, 2]", 1, 8, "a: expected a value or ']' in the array opened at 1:5, got ','" },
        { "a = 1 ]", 1, 7, "a: expected ',' or a newline after the value, got ']'" },
        // bad substitutions
        { "a = ${}", 1, 7, "a: expected a path in the substitution, got '}'" },
        { "a = ${b", 1, 8, "a: expected '}' to close the substitution opened at 1:5, got end of input" },
        { "a = ${b c}", 1, 9, "a: expected '}' to close the substitution opened at 1:5, got 'c'" },
        { "a = ${b.}", 1, 9, "a: expected a path in the substitution segment after '.', got '}'" },
        // bad keys and values
        { "a..b = 1", 1, 3, "expected a key, got '.' (empty path segment)" },
        { "= 1", 1, 1, "expected a key, got '='" },
        { "a = b = c", 1, 7, "a: unexpected '=' in value (quote strings that contain it)" },
        { "url = http://x", 1, 11, "url: unexpected ':' in value (quote strings that contain it)" },
        { "a = $b", 1, 5, "a: unexpected '$' in value" },
        { "include \"x.conf\" junk", 1, 18, "expected ',' or a newline after the include, got 'j'" },
        { "include url(\"http://x\")", 1, 9, "url(...) and classpath(...) includes are not supported; use file(...)" },
        { "include required(\"x.conf\"", 1, 26, "expected ')' to close required(, got end of input" },
        // the path of the setting being defined, array elements included
        { "a {\n  b = 1\n  c = [1, 2\n}\n", 4, 1, "a.c: expected a value or ']' in the array opened at 3:7, got '}'" },
        { "b = [ { name = x }, { name = \"y } ]", 1, 30, "b[1].name: unterminated quoted string: no closing '\"' before end of input" },
        { "b = [ [1], [2, = ] ]", 1, 16, "b[1][1]: unexpected '=' in value (quote strings that contain it)" },
        { "\"odd.key\" { x = [1 = 2] }", 1, 20, "\"odd.key\".x[0]: unexpected '=' in value (quote strings that contain it)" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Malformed_input_reports_exact_position(string hocon, int line, int column, string detail)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigReader.ParseString(hocon, "fabric.conf"));
        Assert.Equal($"fabric.conf:{line}:{column}: {detail}", e.Message);
        Assert.Equal(("fabric.conf", line, column), (e.File, e.Line, e.Column));
        Assert.Equal(detail, e.Detail);
    }

    [Fact]
    public void String_origin_defaults_to_angle_string()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigReader.ParseString("a {"));
        Assert.StartsWith("<string>:1:4: ", e.Message);
        Assert.Equal("<string>", e.File);
    }
}
