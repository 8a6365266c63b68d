namespace Fabric.Host.Keeper;

/// <summary>
/// The body of a <c>spawn</c> message: a node under a keeper asks it to start the successor of a <c>fabric ctl
/// restart</c>, so that the keeper is the successor's parent and watches it once it has taken over.
/// </summary>
/// <param name="File">The executable (this build's or an upgrade's apphost, or the dotnet host).</param>
/// <param name="Args">Its arguments, e.g. <c>run --config F --log-level Information</c>.</param>
/// <param name="Takeover">The asking node's hand-over socket: the keeper adds <c>--takeover</c> it and its own <c>--keeper-socket</c>.</param>
public sealed record SpawnRequest(string File, IReadOnlyList<string> Args, string Takeover);
