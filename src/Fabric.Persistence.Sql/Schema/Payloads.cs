using System.Runtime.InteropServices;

namespace Fabric.Persistence.Sql.Schema;

/// <summary>Turns payload memory into the <c>byte[]</c> the ADO.NET drivers bind, without a copy when it already is one.</summary>
internal static class Payloads
{
    /// <summary>The bytes of <paramref name="payload"/> as an array: the backing array when it spans it exactly, else a copy.</summary>
    /// <param name="payload">Serialized event or snapshot.</param>
    /// <returns>An array holding exactly the payload.</returns>
    public static byte[] AsArray(ReadOnlyMemory<byte> payload)
    {
        if (MemoryMarshal.TryGetArray(payload, out ArraySegment<byte> segment) && segment.Array is { } array &&
            segment.Offset == 0 && segment.Count == array.Length)
        {
            return array;
        }

        return payload.ToArray();
    }

    /// <summary>UTC ticks of <paramref name="time"/> (a local time is converted first; unspecified is taken as UTC).</summary>
    /// <param name="time">A timestamp.</param>
    /// <returns>UTC <see cref="DateTime.Ticks"/>.</returns>
    public static long UtcTicks(DateTime time) => time.Kind == DateTimeKind.Local ? time.ToUniversalTime().Ticks : time.Ticks;
}
