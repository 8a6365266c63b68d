namespace Fabric.Host.Node;

/// <summary>How a node process came to forward (<see cref="StartReport"/>).</summary>
public enum StartKind
{
    /// <summary>It opened the ports itself and the journal held no megaflow.</summary>
    Fresh,

    /// <summary>It opened the ports itself and restored the journal's megaflows (after an exit, or a crash without a keeper).</summary>
    Warm,

    /// <summary>A running node handed it the live ports and the journal (<c>fabric ctl restart</c>).</summary>
    TakenOver,

    /// <summary>Its node crashed and the keeper, which held the ports through the crash, started this one with them.</summary>
    KeeperRestart,
}
