using System.Globalization;
using Fabric.Datapath.Ports;

namespace Fabric.Host.Node;

/// <summary>
/// How this node process started, as <c>fabric ctl show</c> and <c>persistence/show</c> print it: fresh, warm from the
/// journal, taken over from a running node, or restarted by its keeper after a crash; and for the last two, how long
/// no process read the ports and how many frames were waiting in their kernel queues when this one began to.
/// </summary>
/// <remarks>
/// <para>
/// Frames waiting are counted by each port's <see cref="BacklogCounter"/> (the first reads, until the queue is empty)
/// because the kernel reports no queue length: FIONREAD gives an AF_PACKET socket's next frame length only and fails
/// on a TAP descriptor. The AF_PACKET sockets' PACKET_STATISTICS add what arrived while nobody read and how many
/// frames a full buffer dropped; the tun driver counts neither for a reader to see.
/// </para>
/// <para>Immutable apart from the backlog counts, which complete once the first reads have emptied each queue.</para>
/// </remarks>
public sealed class StartReport
{
    private readonly IReadOnlyList<(PortKind Kind, BacklogCounter Backlog)> _backlogs;

    private StartReport(StartKind kind, int restoredFlows, IReadOnlyList<(PortKind, BacklogCounter)> backlogs)
    {
        Kind = kind;
        RestoredFlows = restoredFlows;
        _backlogs = backlogs;
    }

    /// <summary>How the node started.</summary>
    public StartKind Kind { get; private init; }

    /// <summary>Megaflows recovered from the journal before the first frame was read.</summary>
    public int RestoredFlows { get; private init; }

    /// <summary>The process whose ports this one took: the node that handed over, or the node that crashed; 0 otherwise.</summary>
    public int PredecessorPid { get; private init; }

    /// <summary>The keeper that restarted this node (<see cref="StartKind.KeeperRestart"/>); 0 otherwise.</summary>
    public int KeeperPid { get; private init; }

    /// <summary>How the crashed node died (<see cref="StartKind.KeeperRestart"/>), e.g. "killed by signal 9 (SIGKILL)".</summary>
    public string? Death { get; private init; }

    /// <summary>The crashed node's exit code (<see cref="StartKind.KeeperRestart"/>); 0 when it exited by itself.</summary>
    public int DeathExitCode { get; private init; }

    /// <summary>The journal sequence number the predecessor handed over at (-1: none handed over).</summary>
    public long JournalSequenceNr { get; private init; } = -1;

    /// <summary>
    /// How long the hand-over took: from connecting to the predecessor to its <c>stopped</c> (a restart), or from the
    /// keeper seeing the node die to this node's first read (a keeper restart).
    /// </summary>
    public TimeSpan HandOver { get; private init; }

    /// <summary>
    /// How long nobody read the ports: from the predecessor's <c>stopped</c>, or from the keeper seeing the crash, to this
    /// node's first read.
    /// </summary>
    public TimeSpan WithoutReader { get; private init; }

    /// <summary>Frames the AF_PACKET sockets received while nobody read them, dropped ones included (PACKET_STATISTICS).</summary>
    public long ArrivedWhileUnread { get; private init; }

    /// <summary>Frames the AF_PACKET sockets dropped meanwhile because a receive buffer was full (PACKET_STATISTICS).</summary>
    public long DroppedWhileUnread { get; private init; }

    /// <summary>A node that opened its own ports: fresh, or warm when the journal had megaflows.</summary>
    public static StartReport Opened(int restoredFlows) =>
        new(restoredFlows > 0 ? StartKind.Warm : StartKind.Fresh, restoredFlows, []);

    /// <summary>A node that took its ports over from a predecessor or from a keeper.</summary>
    /// <param name="takeover">The finished takeover (its predecessor, journal position, timings).</param>
    /// <param name="restoredFlows">Megaflows recovered.</param>
    /// <param name="readingSince">When the poll threads started (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</param>
    /// <param name="arrived">PACKET_STATISTICS frames received since the last reader stopped, summed over the AF_PACKET ports.</param>
    /// <param name="dropped">PACKET_STATISTICS frames dropped meanwhile, summed.</param>
    /// <param name="backlogs">The armed backlog counter of every port taken over.</param>
    public static StartReport TakenOver(Handover.TakeoverClient takeover, int restoredFlows, long readingSince, long arrived, long dropped, IReadOnlyList<(PortKind, BacklogCounter)> backlogs)
    {
        ArgumentNullException.ThrowIfNull(takeover);
        var keeper = takeover.Keeper;
        var since = keeper?.DiedAt ?? takeover.StoppedAt;
        var withoutReader = System.Diagnostics.Stopwatch.GetElapsedTime(since, readingSince);
        return new StartReport(keeper is null ? StartKind.TakenOver : StartKind.KeeperRestart, restoredFlows, backlogs)
        {
            PredecessorPid = takeover.PredecessorPid,
            KeeperPid = keeper?.KeeperPid ?? 0,
            Death = keeper?.Death,
            DeathExitCode = keeper?.ExitCode ?? 0,
            JournalSequenceNr = takeover.JournalSequenceNr,
            HandOver = keeper is null ? takeover.Duration : withoutReader,
            WithoutReader = withoutReader,
            ArrivedWhileUnread = arrived,
            DroppedWhileUnread = dropped,
        };
    }

    /// <summary>
    /// The frames waiting in the ports' queues when this node began to read, per kind of port: null for a node that
    /// opened its ports, and a count that may still grow (<c>Complete</c> false) until the first reads emptied every queue.
    /// </summary>
    public (long AfPacket, long Tap, bool Complete)? FramesWaiting
    {
        get
        {
            if (Kind is StartKind.Fresh or StartKind.Warm)
            {
                return null;
            }

            long afPacket = 0, tap = 0;
            var complete = true;
            foreach (var (kind, backlog) in _backlogs)
            {
                var n = backlog.Frames ?? backlog.FramesSoFar;
                complete &= backlog.Frames is not null;
                if (kind == PortKind.Tap)
                {
                    tap += n;
                }
                else
                {
                    afPacket += n;
                }
            }

            return (afPacket, tap, complete);
        }
    }

    /// <summary>
    /// One line: <c>fresh</c>, <c>warm from the journal (N megaflows)</c>, <c>taken over from pid N in X ms (journal at
    /// sequence S)</c>, or <c>restarted by keeper pid K after a crash (pid N killed by signal 9 (SIGKILL)); warm from the
    /// journal (M megaflows)</c>.
    /// </summary>
    public string StartedText => Kind switch
    {
        StartKind.Fresh => "fresh",
        StartKind.Warm => Warm(RestoredFlows),
        StartKind.TakenOver => string.Create(CultureInfo.InvariantCulture, $"taken over from pid {PredecessorPid} in {HandOver.TotalMilliseconds:F0} ms (journal at sequence {JournalSequenceNr})"),
        _ => string.Create(CultureInfo.InvariantCulture, $"restarted by keeper pid {KeeperPid} after {(DeathExitCode == 0 ? "its node stopped without fabric ctl exit" : "a crash")} (pid {PredecessorPid} {Death}); {(RestoredFlows > 0 ? Warm(RestoredFlows) : "the journal had no megaflows")}"),
    };

    /// <summary>
    /// One line: for a node that took its ports over, how long nobody read them and how many frames were waiting when
    /// this node began to, e.g. <c>no reader for 3 ms (from pid N's stop to this node's first read); 2 frames waiting
    /// then (AF_PACKET 1, TAP 1); AF_PACKET sockets: 2 arrived meanwhile, 0 dropped</c> (<c>N+ frames … (…; still reading
    /// them)</c> while the first reads are at it); otherwise that the node opened its ports itself.
    /// </summary>
    public string SwitchOverText
    {
        get
        {
            if (FramesWaiting is not { } waiting)
            {
                return "none (this process opened the ports itself)";
            }

            var from = Kind == StartKind.KeeperRestart ? $"the keeper seeing pid {PredecessorPid} die" : $"pid {PredecessorPid} stopping";
            var total = waiting.AfPacket + waiting.Tap;
            return string.Create(
                CultureInfo.InvariantCulture,
                $"no reader for {WithoutReader.TotalMilliseconds:F0} ms (from {from} to this node's first read); {total}{(waiting.Complete ? "" : "+")} frames waiting then (AF_PACKET {waiting.AfPacket}, TAP {waiting.Tap}{(waiting.Complete ? "" : "; still reading them")}); AF_PACKET sockets: {ArrivedWhileUnread} arrived meanwhile, {DroppedWhileUnread} dropped");
        }
    }

    private static string Warm(int flows) => string.Create(CultureInfo.InvariantCulture, $"warm from the journal ({flows} megaflows)");
}
