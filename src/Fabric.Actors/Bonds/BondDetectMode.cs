namespace Fabric.Actors.Bonds;

/// <summary>How a bond member's link state is detected (OVS <c>other_config:bond-detect-mode</c>, ovs-facts §1.1).</summary>
public enum BondDetectMode
{
    /// <summary><c>carrier</c> (default): the interface's carrier, polled every <see cref="BondSettings.CarrierPollInterval"/>.</summary>
    Carrier,

    /// <summary><c>miimon</c>: the carrier polled every <see cref="BondSettings.MiimonInterval"/> (default 200 ms).</summary>
    Miimon,
}
