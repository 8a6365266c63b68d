namespace Fabric.Host.Node.Handover;

/// <summary>
/// In the <c>ports</c> message of a keeper (<see cref="HandoverPorts.Keeper"/>): the node these descriptors belonged to
/// crashed, and the keeper that held them through the crash starts this one.
/// </summary>
/// <param name="KeeperPid">The keeper's process id.</param>
/// <param name="ExitCode">The node's exit code as the keeper saw it (128 + N when signal N killed it; 0: it exited by itself, e.g. on a SIGTERM of its own).</param>
/// <param name="Death">How the node died, e.g. "killed by signal 9 (SIGKILL)" or "exited with code 134".</param>
/// <param name="DiedAt">
/// When the keeper saw it die: a <see cref="System.Diagnostics.Stopwatch"/> timestamp, which on Linux is
/// CLOCK_MONOTONIC in nanoseconds and so the same clock in every process of the host.
/// </param>
public sealed record KeeperRestart(int KeeperPid, int ExitCode, string Death, long DiedAt);
