using Fabric.Datapath.Ports.Native;

namespace Fabric.Datapath.Ports;

/// <summary>
/// Queries about kernel network interfaces in the calling thread's network namespace, through ioctl on an
/// AF_INET datagram socket (SIOCGIFINDEX, SIOCGIFHWADDR, SIOCGIFMTU) and /sys/class/net/&lt;name&gt;/carrier.
/// Not for the per-packet path: each call makes system calls and may allocate.
/// </summary>
public static unsafe class InterfaceInfo
{
    /// <summary>Longest interface name Linux accepts (IFNAMSIZ - 1 = 15 bytes).</summary>
    public const int MaxNameLength = IfReq.NameSize - 1;

    /// <summary>Returns the interface index of <paramref name="name"/> (SIOCGIFINDEX).</summary>
    /// <exception cref="ArgumentException">The name is empty, longer than 15 characters or contains '/', whitespace or non-ASCII.</exception>
    /// <exception cref="PortException">No such interface, or the ioctl failed (message carries the errno text).</exception>
    public static int GetIfIndex(string name)
    {
        IfReq req = IoctlByName(name, LinuxConstants.SIOCGIFINDEX, "cannot get ifindex of");
        return req.IfIndex;
    }

    /// <summary>
    /// Returns the Ethernet address of <paramref name="name"/> (SIOCGIFHWADDR) as 48 bits in the low bits of the
    /// result, first byte on the wire most significant (00:11:22:33:44:55 → 0x001122334455).
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    /// <exception cref="PortException">No such interface, or the ioctl failed.</exception>
    public static ulong GetMac(string name)
    {
        IfReq req = IoctlByName(name, LinuxConstants.SIOCGIFHWADDR, "cannot get MAC address of");
        ulong mac = 0;
        for (int i = 0; i < 6; i++)
        {
            mac = (mac << 8) | req.HwAddrData[i];
        }

        return mac;
    }

    /// <summary>Returns the MTU of <paramref name="name"/> in bytes (SIOCGIFMTU; L3 payload, without the Ethernet header).</summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    /// <exception cref="PortException">No such interface, or the ioctl failed.</exception>
    public static int GetMtu(string name)
    {
        IfReq req = IoctlByName(name, LinuxConstants.SIOCGIFMTU, "cannot get MTU of");
        return req.Mtu;
    }

    /// <summary>
    /// Reads the kernel's carrier state of <paramref name="name"/> from /sys/class/net/&lt;name&gt;/carrier:
    /// true for "1", false for "0" or when the file cannot be read (the kernel refuses the read with EINVAL while
    /// the interface is administratively down), null when no interface of that name exists in this namespace.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    public static bool? ReadCarrier(string name)
    {
        ValidateName(name);
        string dir = "/sys/class/net/" + name;
        if (!Directory.Exists(dir))
        {
            return null;
        }

        try
        {
            string text = File.ReadAllText(dir + "/carrier");
            return text.Length > 0 && text[0] == '1';
        }
        catch (IOException)
        {
            return Directory.Exists(dir) ? false : null;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Reads /sys/class/net/&lt;name&gt;/ifindex; null when the interface does not exist in this namespace.</summary>
    internal static int? ReadSysIfIndex(string name)
    {
        try
        {
            string text = File.ReadAllText("/sys/class/net/" + name + "/ifindex");
            return int.TryParse(text.AsSpan().Trim(), out int index) ? index : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Checks that <paramref name="name"/> is a Linux interface name (the kernel's dev_valid_name): 1..15
    /// printable ASCII characters, no '/', ':' or whitespace, not "." or "..".
    /// </summary>
    /// <exception cref="ArgumentException">The name is not valid; the message says why.</exception>
    public static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string? problem = NameProblem(name);
        if (problem is not null)
        {
            throw new ArgumentException($"interface name '{name}' {problem}", nameof(name));
        }
    }

    /// <summary>Why <paramref name="name"/> is not a valid interface name, or null when it is.</summary>
    internal static string? NameProblem(string name)
    {
        if (name.Length == 0 || name.Length > MaxNameLength)
        {
            return $"must be 1..{MaxNameLength} characters";
        }

        if (name is "." or "..")
        {
            return "is reserved";
        }

        foreach (char c in name)
        {
            if (c <= ' ' || c >= 0x7f || c == '/' || c == ':')
            {
                return "contains a character other than printable ASCII without '/' and ':'";
            }
        }

        return null;
    }

    /// <summary>Runs an ifreq ioctl for <paramref name="name"/> on a throw-away AF_INET datagram socket.</summary>
    internal static IfReq IoctlByName(string name, ulong request, string action, short flags = 0)
    {
        IfReq req = IfReq.ForName(name);
        req.Flags = flags;
        Ioctl(name, request, action, ref req);
        return req;
    }

    /// <summary>Runs the interface ioctl <paramref name="request"/> on <paramref name="req"/> through a throwaway AF_INET socket.</summary>
    /// <exception cref="PortException">The socket or the ioctl failed.</exception>
    private static void Ioctl(string name, ulong request, string action, ref IfReq req)
    {
        ValidateName(name);
        int fd = LibC.Socket(LinuxConstants.AF_INET, LinuxConstants.SOCK_DGRAM | LinuxConstants.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw PortException.FromErrno(action, name, Errno.Last);
        }

        try
        {
            fixed (IfReq* p = &req)
            {
                if (LibC.Ioctl(fd, request, p) < 0)
                {
                    throw PortException.FromErrno(action, name, Errno.Last);
                }
            }
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>Sets IFF_UP on <paramref name="name"/> (SIOCGIFFLAGS then SIOCSIFFLAGS), like <c>ip link set NAME up</c>.</summary>
    /// <summary>Sets the transmit queue length of <paramref name="name"/> to <paramref name="frames"/> (SIOCSIFTXQLEN, what <c>ip link set NAME txqueuelen N</c> does).</summary>
    /// <exception cref="PortException">No such interface, or the ioctl failed.</exception>
    internal static void SetTxQueueLength(string name, int frames)
    {
        IfReq req = IfReq.ForName(name);
        req.TxQueueLength = frames;
        Ioctl(name, LinuxConstants.SIOCSIFTXQLEN, "cannot set the transmit queue length of", ref req);
    }

    internal static void BringUp(string name)
    {
        IfReq req = IoctlByName(name, LinuxConstants.SIOCGIFFLAGS, "cannot read flags of");
        if ((req.Flags & LinuxConstants.IFF_UP) == 0)
        {
            IoctlByName(name, LinuxConstants.SIOCSIFFLAGS, "cannot bring up", (short)(req.Flags | LinuxConstants.IFF_UP));
        }
    }
}
