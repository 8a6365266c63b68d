using Fabric.Datapath.Ports.Native;

namespace Fabric.Datapath.Ports;

/// <summary>
/// A port could not be opened, created or queried. The message is one line that names the port and, for a
/// failed system call, the C library's errno text, e.g. "cannot open AF_PACKET on 'veth9': No such device".
/// </summary>
public sealed class PortException : IOException
{
    /// <summary>Creates the exception for <paramref name="portName"/> with a one-line <paramref name="message"/>.</summary>
    /// <param name="portName">The interface or device name the failure concerns.</param>
    /// <param name="message">One line of text that already names the port.</param>
    /// <param name="errno">The Linux errno of the failed system call, or 0 when none applies.</param>
    public PortException(string portName, string message, int errno = 0)
        : base(message)
    {
        PortName = portName;
        Errno = errno;
    }

    /// <summary>The interface or device name the failure concerns.</summary>
    public string PortName { get; }

    /// <summary>The Linux errno of the failed system call (e.g. 19 = ENODEV), or 0 when none applies.</summary>
    public int Errno { get; }

    /// <summary>Builds "<paramref name="action"/> '<paramref name="portName"/>': strerror(errno)".</summary>
    internal static PortException FromErrno(string action, string portName, int errno) =>
        new(portName, $"{action} '{portName}': {Native.Errno.Message(errno)}", errno);
}
