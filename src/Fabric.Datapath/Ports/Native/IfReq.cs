using System.Runtime.InteropServices;

namespace Fabric.Datapath.Ports.Native;

/// <summary>
/// <c>struct ifreq</c> (net/if.h), 40 bytes on Linux x86-64: a 16-byte interface name followed by a 24-byte
/// union, of which the members used here (flags, ifindex, mtu, hardware address) are overlaid explicitly.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 40)]
internal unsafe struct IfReq
{
    /// <summary>IFNAMSIZ: name buffer size including the terminating NUL (bytes).</summary>
    public const int NameSize = 16;

    /// <summary><c>ifr_name</c>: NUL-terminated interface name.</summary>
    [FieldOffset(0)]
    public fixed byte Name[NameSize];

    /// <summary><c>ifr_flags</c>: IFF_* interface flags (SIOCGIFFLAGS, SIOCSIFFLAGS) or IFF_TAP|IFF_NO_PI (TUNSETIFF).</summary>
    [FieldOffset(16)]
    public short Flags;

    /// <summary><c>ifr_ifindex</c> (SIOCGIFINDEX).</summary>
    [FieldOffset(16)]
    public int IfIndex;

    /// <summary><c>ifr_mtu</c> (SIOCGIFMTU), bytes.</summary>
    /// <summary>ifr_qlen: the device's transmit queue length in frames (SIOCSIFTXQLEN).</summary>
    [FieldOffset(16)]
    public int TxQueueLength;

    [FieldOffset(16)]
    public int Mtu;

    /// <summary><c>ifr_hwaddr.sa_family</c> (SIOCGIFHWADDR): ARPHRD_* type.</summary>
    [FieldOffset(16)]
    public ushort HwAddrFamily;

    /// <summary><c>ifr_hwaddr.sa_data</c> (SIOCGIFHWADDR): the hardware address in its first bytes.</summary>
    [FieldOffset(18)]
    public fixed byte HwAddrData[14];

    /// <summary>Builds a request for <paramref name="name"/> (at most 15 ASCII bytes; checked by the caller).</summary>
    public static IfReq ForName(string name)
    {
        IfReq req = default;
        for (int i = 0; i < name.Length && i < NameSize - 1; i++)
        {
            req.Name[i] = (byte)name[i];
        }

        return req;
    }

    /// <summary>Reads the NUL-terminated name back (the kernel fills it in for TUNSETIFF).</summary>
    public string GetName()
    {
        Span<char> chars = stackalloc char[NameSize];
        int n = 0;
        while (n < NameSize && Name[n] != 0)
        {
            chars[n] = (char)Name[n];
            n++;
        }

        return new string(chars[..n]);
    }
}
