using System.Globalization;

namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// INTERNAL API. Splits "number [whitespace] unit" text as used by durations and byte sizes: the
/// number is a non-negative decimal (<c>digits[.digits]</c>), the unit is the rest of the text.
/// </summary>
internal static class HoconNumbers
{
    /// <summary>Splits <paramref name="text"/>; false when it does not start with a non-negative decimal number.</summary>
    public static bool TrySplit(string text, out decimal number, out string unit)
    {
        number = 0;
        unit = string.Empty;
        var i = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        if (i == 0)
        {
            return false;
        }

        if (i < text.Length && text[i] == '.')
        {
            var fractionStart = ++i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == fractionStart)
            {
                return false;
            }
        }

        if (!decimal.TryParse(text.AsSpan(0, i), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number))
        {
            return false;
        }

        var unitStart = i;
        while (unitStart < text.Length && char.IsWhiteSpace(text[unitStart]))
        {
            unitStart++;
        }

        unit = text[unitStart..];
        return true;
    }
}
