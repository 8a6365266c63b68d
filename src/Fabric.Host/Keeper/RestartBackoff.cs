namespace Fabric.Host.Keeper;

/// <summary>
/// How long a keeper waits before it starts a new node after its node died, so that a node that keeps crashing does not
/// make the keeper spin: a node that had been forwarding for <see cref="StableAfter"/> is restarted at once (a crash
/// then costs no frame, as long as the restart fits the kernel buffers); after a node that died sooner, or before it
/// forwarded at all, the keeper waits <see cref="FirstDelay"/>, then twice as long after each further such crash in a
/// row, up to <see cref="MaxDelay"/>. A node that reaches <see cref="StableAfter"/> clears the series.
/// </summary>
/// <remarks>
/// While the keeper waits, the frames wait in the buffers it holds (≈ 10,000 per port) and are dropped once those are
/// full: at 1,000 frames/s a 250 ms – 8 s delay loses nothing, at line rate anything beyond some 50 ms does.
/// </remarks>
public sealed class RestartBackoff
{
    /// <summary>A node forwarding this long before it died is restarted at once: 1 s.</summary>
    public static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(1);

    /// <summary>The wait after the first quick crash: 250 ms.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait: 30 s.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    private TimeSpan _last;

    /// <summary>Quick crashes in a row so far.</summary>
    public int QuickCrashes { get; private set; }

    /// <summary>The wait before starting the next node, given how long the one that died had been forwarding.</summary>
    /// <param name="forwardedFor">How long it forwarded; null when it died before it forwarded.</param>
    public TimeSpan Next(TimeSpan? forwardedFor)
    {
        if (forwardedFor >= StableAfter)
        {
            QuickCrashes = 0;
            _last = TimeSpan.Zero;
            return TimeSpan.Zero;
        }

        QuickCrashes++;
        _last = _last == TimeSpan.Zero ? FirstDelay : TimeSpan.FromTicks(Math.Min(_last.Ticks * 2, MaxDelay.Ticks));
        return _last;
    }
}
