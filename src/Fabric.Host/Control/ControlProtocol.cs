namespace Fabric.Host.Control;

/// <summary>
/// Constants of the control-socket wire protocol shared by <see cref="ControlServer"/> and
/// <see cref="ControlClient"/>.
/// </summary>
/// <remarks>
/// The protocol is line-delimited JSON over a Unix domain stream socket. A client writes a
/// <see cref="ControlRequest"/> as one UTF-8 JSON line ending in <c>\n</c> and reads one
/// <see cref="ControlReply"/> line back. A connection may carry several requests one after the
/// other (each answered before the next is read); <see cref="ControlClient"/> sends exactly one per
/// connection. A request longer than <see cref="MaxRequestBytes"/> gets an error reply and the
/// server closes the connection; a request that is not valid JSON gets an error reply and the
/// connection stays usable. This mirrors OVS's unixctl (JSON-RPC over <c>punix:</c>), reduced to
/// what <c>fabric ctl</c> needs.
/// </remarks>
public static class ControlProtocol
{
    /// <summary>The largest request line accepted, in bytes, not counting the terminating newline (64 KiB).</summary>
    public const int MaxRequestBytes = 64 * 1024;

    /// <summary>The largest reply line a <see cref="ControlClient"/> accepts, in bytes (64 MiB; flow dumps can be long).</summary>
    public const int MaxReplyBytes = 64 * 1024 * 1024;

    /// <summary>The default control socket path when neither <c>--socket</c> nor <see cref="SocketPathVariable"/> is given.</summary>
    public const string DefaultSocketPath = "/run/fabric/fabric.ctl";

    /// <summary>The environment variable that overrides <see cref="DefaultSocketPath"/>.</summary>
    public const string SocketPathVariable = "FABRIC_CTL_SOCKET";

    /// <summary>The line terminator of requests and replies.</summary>
    internal const byte LineFeed = (byte)'\n';

    /// <summary>
    /// Returns the socket path to use when none was given explicitly: the value of
    /// <see cref="SocketPathVariable"/> if it is set and not blank, else <see cref="DefaultSocketPath"/>.
    /// </summary>
    /// <returns>An absolute or relative filesystem path.</returns>
    public static string ResolveDefaultSocketPath()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(SocketPathVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? DefaultSocketPath : fromEnvironment;
    }
}
