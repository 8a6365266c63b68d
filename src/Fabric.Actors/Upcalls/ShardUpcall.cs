using Fabric.Actors.Bridge;
using Fabric.Actors.Normal;
using Fabric.Datapath.Forwarding;

namespace Fabric.Actors.Upcalls;

/// <summary>
/// An upcall waiting in a shard's inbox, with what the poll thread already did with it: when it translated the miss
/// itself (<see cref="PollThreadTranslator"/>), the translation, the MAC table version it used, and that the packet has
/// been sent — the shard then only learns and installs.
/// </summary>
/// <param name="Upcall">The miss.</param>
/// <param name="Xlate">NORMAL's result when the poll thread translated the miss (and executed it), or null when the shard must translate.</param>
/// <param name="View">The MAC table version <paramref name="Xlate"/> was translated against (null with it).</param>
public sealed record ShardUpcall(Upcall Upcall, XlateResult? Xlate = null, MacTableView? View = null)
{
    /// <summary>True when the poll thread has executed <see cref="Xlate"/>'s actions on the packet: it translated it.</summary>
    public bool Executed => Xlate is not null;
}
