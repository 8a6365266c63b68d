namespace Fabric.Host.Node.Handover;

/// <summary>What a restart's hand-over came to, as <c>fabric ctl restart</c> reports it.</summary>
/// <param name="Ok">The successor forwards and this process may exit; false: this process still forwards.</param>
/// <param name="Message">One line: the successor's pid and the hand-over time, or why it failed.</param>
/// <param name="SuccessorPid">The successor's process id (0 when it never started).</param>
/// <param name="Duration">From starting the successor to its <c>forwarding</c>.</param>
public sealed record HandoverResult(bool Ok, string Message, int SuccessorPid, TimeSpan Duration);
