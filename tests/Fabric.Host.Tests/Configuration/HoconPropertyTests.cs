using Fabric.Host.Configuration.Hocon;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Fabric.Host.Tests.Configuration;

public sealed class HoconPropertyTests
{
    private static readonly string[] Words = ["a", "b", "flow-limit", "x.y", "with space", "q\"uote", "", "include", "//c", "#h", "é", "1", "true"];

    private static Gen<string> Segment() =>
        Gen.OneOf(Gen.Elements(Words), Gen.Elements("abcdefghijklmnopqrstuvwxyz-_".ToCharArray()).ArrayOf().Select(c => new string(c)));

    private static Gen<string> Text() =>
        Gen.OneOf(
            Gen.Elements(Words),
            ArbMap.Default.GeneratorFor<int>().Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.Elements(" \t\n\\\"${}[]=:,#é€\u0001".ToCharArray()).ArrayOf().Select(c => new string(c)));

    private static Gen<(string[] Path, string Value)[]> Entries() =>
        Gen.Zip(Segment().ArrayOf().Where(a => a.Length is > 0 and < 4), Text()).ArrayOf();

    /// <summary>Rendering a config and parsing it back yields the same leaves (paths, kinds and text).</summary>
    [Fact]
    public void Render_then_parse_round_trips()
    {
        Prop.ForAll(Entries().ToArbitrary(), entries =>
        {
            var source = BuildQuoted(entries);
            var config = ConfigReader.ParseString(source);
            var again = ConfigReader.ParseString(config.ToString());
            return Flat(config).SequenceEqual(Flat(again));
        }).QuickCheckThrowOnFailure();
    }

    /// <summary>Defining leaves with dotted keys and with nested objects gives the same tree.</summary>
    [Fact]
    public void Dotted_keys_equal_nested_objects()
    {
        Prop.ForAll(Entries().ToArbitrary(), entries =>
        {
            var dotted = ConfigReader.ParseString(BuildQuoted(entries));
            var nested = ConfigReader.ParseString(BuildNested(entries));
            return Flat(dotted).SequenceEqual(Flat(nested)) && dotted.ToString() == nested.ToString();
        }).QuickCheckThrowOnFailure();
    }

    private static IEnumerable<string> Flat(ConfigDocument config) =>
        config.AsEnumerable().Select(p => p.Key + "\u0000" + p.Value.GetType().Name + "\u0000" + p.Value.ToString());

    private static string Quote(string s)
    {
        var b = new System.Text.StringBuilder("\"");
        foreach (var c in s)
        {
            b.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when c < ' ' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return b.Append('"').ToString();
    }

    private static string BuildQuoted((string[] Path, string Value)[] entries) =>
        string.Join("\n", entries.Select(e => string.Join(".", e.Path.Select(Quote)) + " = " + Quote(e.Value)));

    private static string BuildNested((string[] Path, string Value)[] entries) =>
        string.Join("\n", entries.Select(e =>
            string.Concat(e.Path.Take(e.Path.Length - 1).Select(s => Quote(s) + " { "))
            + Quote(e.Path[^1]) + " = " + Quote(e.Value)
            + string.Concat(Enumerable.Repeat(" }", e.Path.Length - 1))));
}
