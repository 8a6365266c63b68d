namespace Fabric.Kernel.TestKit.Persistence;

/// <summary>What an injected <see cref="JournalBehavior"/> does with one stored or replayed event.</summary>
public enum JournalVerdict
{
    /// <summary>Store or replay it normally.</summary>
    Pass,

    /// <summary>Throw: the whole journal call fails (a write "may or may not be stored"; here nothing is).</summary>
    Fail,

    /// <summary>Reject the atomic write containing it (nothing of that write is stored; in replay: same as Fail).</summary>
    Reject,
}
