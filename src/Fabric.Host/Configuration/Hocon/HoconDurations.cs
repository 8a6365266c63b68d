using System.Globalization;

namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// INTERNAL API. Akka's duration format (akka-notes §7): a non-negative decimal number, optional
/// whitespace, an optional case-sensitive unit (<c>ns</c> … <c>d</c> and their long forms); a bare
/// number is milliseconds; <c>infinite</c> (any case) is <see cref="Timeout.InfiniteTimeSpan"/> when
/// allowed. The whole text must match (<c>10S</c>, <c>10sec</c>, <c>1h30m</c> and negatives are
/// rejected). Sub-tick amounts are rounded to the nearest 100 ns tick.
/// </summary>
internal static class HoconDurations
{
    /// <summary>Human description of the accepted form, used in error messages.</summary>
    public const string Expected = "a duration (non-negative number with optional unit ns, us, ms, s, m, h or d; bare number = milliseconds)";

    private static readonly Dictionary<string, decimal> TicksPerUnit = BuildUnits();

    /// <summary>Parses a duration; returns an error detail instead of throwing.</summary>
    public static bool TryParse(string text, bool allowInfinite, out TimeSpan result, out string? error)
    {
        result = default;
        error = null;
        var trimmed = text.Trim();
        if (string.Equals(trimmed, "infinite", StringComparison.OrdinalIgnoreCase))
        {
            if (allowInfinite)
            {
                result = Timeout.InfiniteTimeSpan;
                return true;
            }

            error = "'infinite' is not allowed here";
            return false;
        }

        if (!HoconNumbers.TrySplit(trimmed, out var number, out var unit))
        {
            error = trimmed.StartsWith('-') ? "negative durations are not allowed" : null;
            return false;
        }

        decimal ticksPerUnit;
        if (unit.Length == 0)
        {
            ticksPerUnit = TimeSpan.TicksPerMillisecond;
        }
        else if (!TicksPerUnit.TryGetValue(unit, out ticksPerUnit))
        {
            error = $"unknown duration unit '{unit}' (units are lowercase: ns, us, ms, s, m, h, d or their long forms)";
            return false;
        }

        decimal ticks;
        try
        {
            ticks = Math.Round(number * ticksPerUnit, MidpointRounding.AwayFromZero);
        }
        catch (OverflowException)
        {
            error = "duration is too large";
            return false;
        }

        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            error = "duration is too large";
            return false;
        }

        result = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    private static Dictionary<string, decimal> BuildUnits()
    {
        var units = new Dictionary<string, decimal>(StringComparer.Ordinal);
        void Add(decimal ticks, params string[] names)
        {
            foreach (var name in names)
            {
                units.Add(name, ticks);
            }
        }

        Add(0.01m, "ns", "nano", "nanos", "nanosecond", "nanoseconds");
        Add(10m, "us", "micro", "micros", "microsecond", "microseconds");
        Add(TimeSpan.TicksPerMillisecond, "ms", "milli", "millis", "millisecond", "milliseconds");
        Add(TimeSpan.TicksPerSecond, "s", "second", "seconds");
        Add(TimeSpan.TicksPerMinute, "m", "minute", "minutes");
        Add(TimeSpan.TicksPerHour, "h", "hour", "hours");
        Add(TimeSpan.TicksPerDay, "d", "day", "days");
        return units;
    }
}
