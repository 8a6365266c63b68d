namespace Fabric.Host.Control;

/// <summary>
/// One control request as it travels on the control socket: a single UTF-8 JSON line
/// <c>{"command":"fdb/show","args":["br0"]}</c> terminated by <c>\n</c>, at most
/// <see cref="ControlProtocol.MaxRequestBytes"/> bytes long. It plays the role of an
/// ovs-appctl JSON-RPC request (method + string params) in OVS's unixctl protocol.
/// </summary>
/// <param name="Command">The command name, e.g. <c>fdb/show</c> or <c>list-commands</c>.</param>
/// <param name="Args">The command's arguments, passed to the handler verbatim and in order.</param>
public sealed record ControlRequest(string Command, IReadOnlyList<string> Args);
