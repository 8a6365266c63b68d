using System.Runtime.InteropServices;

namespace Fabric.Datapath.Ports.Native;

/// <summary>errno helpers: the last P/Invoke error and its strerror text.</summary>
internal static class Errno
{
    /// <summary>errno left by the last <see cref="LibC"/> call on this thread.</summary>
    public static int Last => Marshal.GetLastPInvokeError();

    /// <summary>The C library's text for <paramref name="errno"/>, e.g. "No such device".</summary>
    public static string Message(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
