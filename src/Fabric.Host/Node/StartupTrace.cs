using System.Diagnostics;
using System.Text;

namespace Fabric.Host.Node;

/// <summary>
/// Milestones of a node's start, in ms since the process started (e.g. "main 61, config 75, … forwarding 190"),
/// logged once so the restart outage can be taken apart.
/// </summary>
public static class StartupTrace
{
    private static readonly StringBuilder Marks = new();

    /// <summary>When this process started (UTC).</summary>
    public static DateTime ProcessStart { get; } = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    /// <summary>The milestones so far.</summary>
    public static string Text
    {
        get
        {
            lock (Marks)
            {
                return Marks.ToString();
            }
        }
    }

    /// <summary>Records milestone <paramref name="name"/> now.</summary>
    public static void Mark(string name)
    {
        var ms = (long)(DateTime.UtcNow - ProcessStart).TotalMilliseconds;
        lock (Marks)
        {
            Marks.Append(Marks.Length == 0 ? "" : ", ").Append(name).Append(' ').Append(ms);
        }
    }
}
