namespace Fabric.Host.Control;

/// <summary>
/// Runs one registered control command, in the manner of OVS's <c>unixctl_cb_func</c>. The
/// registry has already checked the argument count against the command's limits. A handler returns
/// <see cref="ControlReply.Ok(string)"/> or <see cref="ControlReply.Error(string)"/>; if it throws, the
/// exception's message becomes an error reply and the server keeps serving.
/// </summary>
/// <param name="args">The arguments that followed the command name, verbatim.</param>
/// <param name="ct">Cancelled when the control server shuts down.</param>
/// <returns>The reply to send back to the client.</returns>
public delegate Task<ControlReply> ControlCommandHandler(IReadOnlyList<string> args, CancellationToken ct);
