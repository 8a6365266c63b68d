namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// INTERNAL API. Akka/HOCON size-in-bytes format (akka-notes §7): a non-negative decimal number,
/// optional whitespace, an optional case-sensitive suffix. <c>B b byte bytes</c>; powers of ten
/// <c>kB MB GB TB PB EB</c> (and <c>kilobyte(s)</c> …); powers of two <c>K k Ki KiB</c>,
/// <c>M m Mi MiB</c>, … <c>E e Ei EiB</c> (and <c>kibibyte(s)</c> …). Note <c>kB</c> = 1000 but
/// <c>K</c>/<c>k</c> = 1024. Fractions are truncated to whole bytes.
/// </summary>
internal static class HoconByteSizes
{
    /// <summary>Human description of the accepted form, used in error messages.</summary>
    public const string Expected = "a size in bytes (non-negative number with optional unit such as B, kB, KiB, K, MB, MiB, M, GB, GiB, G)";

    private static readonly Dictionary<string, decimal> Multipliers = BuildUnits();

    /// <summary>Parses a size; returns an error detail instead of throwing.</summary>
    public static bool TryParse(string text, out long result, out string? error)
    {
        result = 0;
        error = null;
        var trimmed = text.Trim();
        if (!HoconNumbers.TrySplit(trimmed, out var number, out var unit))
        {
            error = trimmed.StartsWith('-') ? "negative sizes are not allowed" : null;
            return false;
        }

        var multiplier = 1m;
        if (unit.Length > 0 && !Multipliers.TryGetValue(unit, out multiplier))
        {
            error = $"unknown size unit '{unit}'";
            return false;
        }

        decimal bytes;
        try
        {
            bytes = decimal.Truncate(number * multiplier);
        }
        catch (OverflowException)
        {
            error = "size is too large";
            return false;
        }

        if (bytes > long.MaxValue)
        {
            error = "size is too large";
            return false;
        }

        result = (long)bytes;
        return true;
    }

    private static Dictionary<string, decimal> BuildUnits()
    {
        var units = new Dictionary<string, decimal>(StringComparer.Ordinal);
        void Add(decimal multiplier, params string[] names)
        {
            foreach (var name in names)
            {
                units.Add(name, multiplier);
            }
        }

        Add(1m, "B", "b", "byte", "bytes");
        string[] decimalNames = ["kB", "MB", "GB", "TB", "PB", "EB"];
        string[] decimalWords = ["kilobyte", "megabyte", "gigabyte", "terabyte", "petabyte", "exabyte"];
        string[] binaryUpper = ["K", "M", "G", "T", "P", "E"];
        string[] binaryWords = ["kibibyte", "mebibyte", "gibibyte", "tebibyte", "pebibyte", "exbibyte"];
        var power10 = 1m;
        var power2 = 1m;
        for (var i = 0; i < decimalNames.Length; i++)
        {
            power10 *= 1000m;
            power2 *= 1024m;
            Add(power10, decimalNames[i], decimalWords[i], decimalWords[i] + "s");
            var upper = binaryUpper[i];
            Add(power2, upper, upper.ToLowerInvariant(), upper + "i", upper + "iB", binaryWords[i], binaryWords[i] + "s");
        }

        return units;
    }
}
