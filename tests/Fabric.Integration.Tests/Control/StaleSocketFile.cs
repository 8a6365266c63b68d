using System.Runtime.InteropServices;
using System.Text;

namespace Fabric.Integration.Tests.Control;

/// <summary>
/// Leaves a socket file behind the way a killed process does: binds a Unix socket with libc and
/// closes it. (.NET's <c>Socket.Dispose</c> deletes the file it bound, so it cannot produce one.)
/// </summary>
internal static partial class StaleSocketFile
{
    private const int AfUnix = 1;
    private const int SockStream = 1;

    public static void Create(string path)
    {
        byte[] pathBytes = Encoding.UTF8.GetBytes(path);
        var address = new byte[2 + 108];
        if (pathBytes.Length >= 108)
        {
            throw new ArgumentException("socket path too long", nameof(path));
        }

        BitConverter.GetBytes((ushort)AfUnix).CopyTo(address, 0);
        pathBytes.CopyTo(address, 2);
        int fd = Socket(AfUnix, SockStream, 0);
        if (fd < 0)
        {
            throw new InvalidOperationException($"socket() failed: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            if (Bind(fd, address, address.Length) != 0)
            {
                throw new InvalidOperationException($"bind({path}) failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [DllImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static extern int Socket(int domain, int type, int protocol);

    [DllImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static extern int Bind(int fd, byte[] address, int length);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
