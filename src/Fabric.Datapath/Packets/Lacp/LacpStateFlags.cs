namespace Fabric.Datapath.Packets.Lacp;

/// <summary>
/// The actor/partner state octet of an LACPDU information TLV (IEEE 802.1AX-2008 §5.4.2.2, item m; OVS
/// <c>lib/lacp.c</c> <c>LACP_STATE_*</c>). One byte; bit 0 is the least significant bit.
/// </summary>
[Flags]
public enum LacpStateFlags : byte
{
    /// <summary>No bit set: passive, long timeout, individual, out of sync, not collecting or distributing.</summary>
    None = 0,

    /// <summary>LACP_Activity: 1 = active LACP (may initiate), 0 = passive.</summary>
    Activity = 0x01,

    /// <summary>LACP_Timeout: 1 = short timeout (the sender asks for PDUs every 1 s), 0 = long (30 s).</summary>
    Timeout = 0x02,

    /// <summary>Aggregation: 1 = the link is aggregatable, 0 = individual.</summary>
    Aggregation = 0x04,

    /// <summary>Synchronization: 1 = the link is attached to the right aggregator ("IN_SYNC").</summary>
    Synchronization = 0x08,

    /// <summary>Collecting: 1 = frames received on the link are being collected.</summary>
    Collecting = 0x10,

    /// <summary>Distributing: 1 = frames are being distributed onto the link.</summary>
    Distributing = 0x20,

    /// <summary>Defaulted: 1 = the sender uses default (administrative) partner information.</summary>
    Defaulted = 0x40,

    /// <summary>Expired: 1 = the sender's receive machine is in the EXPIRED state.</summary>
    Expired = 0x80,
}
