using Fabric.Datapath.Packets.Lacp;

namespace Fabric.Actors.Bonds.Lacp;

/// <summary>
/// LACP state of one bond member (OVS <c>lib/lacp.c</c> <c>struct member</c>): its actor port identity, what it
/// knows of its partner, its receive-machine status, whether it is attached to the aggregator, and its counters.
/// Created and configured through <see cref="LacpBond.RegisterMember"/>; always belongs to one <see cref="Bond"/>.
/// </summary>
/// <remarks>
/// Pure state, no clock: the caller (the bond member actor) owns two timers per member and drives this object —
/// <list type="bullet">
/// <item>the <b>receive timer</b>: (re)arm it for <see cref="RxTimeoutMs"/> whenever <see cref="Receive"/>,
/// <see cref="SetCarrier"/> or <see cref="LacpBond.RegisterMember"/> report that it restarted, call
/// <see cref="RxTimerExpired"/> when it fires, and re-arm afterwards while <see cref="RxTimerRunning"/>;</item>
/// <item>the <b>transmit timer</b>: after each <see cref="LacpBond.ComposePdu"/> arm it for
/// <see cref="TxIntervalMs"/>; when it fires, or whenever <see cref="NeedsTransmitNow"/> is true, send a PDU if
/// <see cref="LacpBond.ShouldTransmit"/> (OVS <c>lacp_run</c>). Call <see cref="LacpBond.UpdateAttached"/> first
/// when <see cref="LacpBond.NeedsUpdate"/> is set.</item>
/// </list>
/// Not thread-safe: one owner (an actor) mutates it.
/// </remarks>
public sealed class LacpMember
{
    private readonly LacpBond _bond;

    internal LacpMember(LacpBond bond, string name, bool carrierUp)
    {
        _bond = bond;
        Name = name;
        CarrierUp = carrierUp;
        Status = LacpMemberStatus.Defaulted;
    }

    /// <summary>The LACP object (bond port) this member belongs to.</summary>
    public LacpBond Bond => _bond;

    /// <summary>Interface name; <c>lacp/show</c> sorts members by it (ordinal).</summary>
    public string Name { get; }

    /// <summary>Actor port number (Interface <c>other_config:lacp-port-id</c>, default the OpenFlow port number).</summary>
    public ushort PortId { get; internal set; }

    /// <summary>Actor port priority (Interface <c>other_config:lacp-port-priority</c>, default 65535; lower is better).</summary>
    public ushort PortPriority { get; internal set; }

    /// <summary>Configured aggregation key (Interface <c>other_config:lacp-aggregation-key</c>); 0 = use the key
    /// member's port id (see <see cref="LacpBond.AggregationKey"/>).</summary>
    public ushort Key { get; internal set; }

    /// <summary>Receive-machine status; a new member starts <see cref="LacpMemberStatus.Defaulted"/>.</summary>
    public LacpMemberStatus Status { get; private set; }

    /// <summary>True if the last <see cref="LacpBond.UpdateAttached"/> attached this member to the aggregator
    /// (traffic may flow once <see cref="MayEnable"/>).</summary>
    public bool Attached { get; internal set; }

    /// <summary>Carrier (L1) state as last reported by <see cref="SetCarrier"/> (or given at registration).</summary>
    public bool CarrierUp { get; private set; }

    /// <summary>Partner information: the actor TLV of the last accepted PDU, modified by expiry, all zero when
    /// <see cref="LacpMemberStatus.Defaulted"/>. Sent back as the partner TLV of our PDUs.</summary>
    public LacpInfo Partner { get; private set; }

    /// <summary>
    /// What the partner last echoed of our actor information (the partner TLV of the last accepted PDU), or what we
    /// last sent, whichever is later (OVS <c>ntt_actor</c>). <see cref="NeedsTransmitNow"/> compares against it.
    /// </summary>
    public LacpInfo EchoedActor { get; internal set; }

    /// <summary>LACPDUs sent (<c>dot3adAggPortStatsLACPDUsTx</c>).</summary>
    public uint TxPdus { get; internal set; }

    /// <summary>Slow-protocol PDUs received, good, bad or marker, including those dropped while carrier was down
    /// (<c>dot3adAggPortStatsLACPDUsRx</c> as OVS counts it).</summary>
    public uint RxPdus { get; private set; }

    /// <summary>Unparsable PDUs received (<c>dot3adAggPortStatsIllegalRx</c>).</summary>
    public uint RxBadPdus { get; private set; }

    /// <summary>Marker PDUs received (<c>dot3adAggPortStatsMarkerPDUsRx</c>); they are otherwise ignored.</summary>
    public uint RxMarkerPdus { get; private set; }

    /// <summary>Times the receive timer moved the member Current → Expired.</summary>
    public uint LinkExpired { get; private set; }

    /// <summary>Times the receive timer moved the member Expired → Defaulted.</summary>
    public uint LinkDefaulted { get; private set; }

    /// <summary>Times <see cref="SetCarrier"/> changed the carrier state.</summary>
    public uint CarrierStatusChanged { get; private set; }

    /// <summary>
    /// Transmit period in ms, chosen from the partner's Timeout bit: <see cref="LacpBond.FastTxIntervalMs"/> (1000)
    /// if set, else <see cref="LacpBond.SlowTxIntervalMs"/> (30000) (OVS <c>lacp_run</c>). Arm the transmit timer
    /// with it after each PDU sent.
    /// </summary>
    public int TxIntervalMs =>
        (Partner.State & LacpStateFlags.Timeout) != 0 ? LacpBond.FastTxIntervalMs : LacpBond.SlowTxIntervalMs;

    /// <summary>
    /// Duration in ms of the receive timer as OVS last set it: after an accepted PDU 3 × our own rate (3000 when the
    /// bond is <see cref="LacpTime.Fast"/>, 90000 when slow); while <see cref="LacpMemberStatus.Expired"/> always
    /// 3 × the fast rate = 3000 (OVS <c>member_set_expired</c>). Meaningless while not <see cref="RxTimerRunning"/>.
    /// </summary>
    public int RxTimeoutMs => Status == LacpMemberStatus.Expired
        ? LacpBond.RxMultiplier * LacpBond.FastTxIntervalMs
        : LacpBond.RxMultiplier * (_bond.Time == LacpTime.Fast ? LacpBond.FastTxIntervalMs : LacpBond.SlowTxIntervalMs);

    /// <summary>True unless <see cref="LacpMemberStatus.Defaulted"/>: only then does OVS stop waiting on the
    /// receive timer (<c>lacp_wait</c>).</summary>
    public bool RxTimerRunning => Status != LacpMemberStatus.Defaulted;

    /// <summary>
    /// True if our current actor information (<see cref="LacpBond.ActorInfo"/>) differs from
    /// <see cref="EchoedActor"/> in port, port priority, key, system priority, system, or the Activity, Timeout,
    /// Synchronization or Aggregation bits (OVS <c>info_tx_equal</c>; IEEE 802.1AX-2008 §5.4.9 NTT).
    /// </summary>
    public bool NeedsTransmitNow => !LacpBond.TxEqual(_bond.ActorInfo(this), EchoedActor);

    /// <summary>Whether the bond may enable this member; see <see cref="LacpBond.MayEnable"/>.</summary>
    public bool MayEnable => _bond.MayEnable(this);

    /// <summary>
    /// Processes a well-formed LACPDU received on this member (OVS <c>lacp_process_packet</c>): counts it in
    /// <see cref="RxPdus"/>; while carrier is down drops it and returns false. Otherwise the member becomes
    /// <see cref="LacpMemberStatus.Current"/>, <see cref="EchoedActor"/> takes the PDU's
    /// <paramref name="partner"/>, and if the PDU's <paramref name="actor"/> differs from <see cref="Partner"/> it
    /// replaces it and the bond <see cref="LacpBond.NeedsUpdate"/>. Returns true: the receive timer restarts for
    /// <see cref="RxTimeoutMs"/>.
    /// </summary>
    public bool Receive(in LacpInfo actor, in LacpInfo partner)
    {
        RxPdus++;
        if (!CarrierUp)
        {
            return false;
        }

        Status = LacpMemberStatus.Current;
        EchoedActor = partner;
        if (Partner != actor)
        {
            Partner = actor;
            _bond.MarkNeedsUpdate();
        }

        return true;
    }

    /// <summary>Counts an unparsable slow-protocol PDU (<see cref="RxPdus"/> and <see cref="RxBadPdus"/>); no state
    /// change (OVS <c>lacp_process_packet</c>, <c>SUBTYPE_UNUSED</c>).</summary>
    public void ReceiveMalformed()
    {
        RxPdus++;
        RxBadPdus++;
    }

    /// <summary>Counts a Marker PDU (<see cref="RxPdus"/> and <see cref="RxMarkerPdus"/>); no state change and no
    /// Marker Response (OVS <c>lacp_process_packet</c>, <c>SUBTYPE_MARKER</c>).</summary>
    public void ReceiveMarker()
    {
        RxPdus++;
        RxMarkerPdus++;
    }

    /// <summary>
    /// Parses <paramref name="frame"/> with <see cref="LacpPdu.TryParse"/> and dispatches to <see cref="Receive"/>,
    /// <see cref="ReceiveMarker"/> or <see cref="ReceiveMalformed"/>; a <see cref="LacpParseResult.NotSlowProtocol"/>
    /// frame is not counted. Returns the parse result; the receive timer restarted iff the result is
    /// <see cref="LacpParseResult.Lacp"/> and <see cref="CarrierUp"/>.
    /// </summary>
    public LacpParseResult ReceiveFrame(ReadOnlySpan<byte> frame)
    {
        LacpParseResult result = LacpPdu.TryParse(frame, out LacpInfo actor, out LacpInfo partner);
        switch (result)
        {
            case LacpParseResult.Lacp:
                Receive(actor, partner);
                break;
            case LacpParseResult.Marker:
                ReceiveMarker();
                break;
            case LacpParseResult.Malformed:
                ReceiveMalformed();
                break;
        }

        return result;
    }

    /// <summary>
    /// The receive timer fired (OVS <c>lacp_run</c>): <see cref="LacpMemberStatus.Current"/> →
    /// <see cref="LacpMemberStatus.Expired"/> (partner Synchronization cleared, partner Timeout forced on so we
    /// transmit fast, timer 3000 ms, <see cref="LinkExpired"/>+1); <see cref="LacpMemberStatus.Expired"/> →
    /// <see cref="LacpMemberStatus.Defaulted"/> (partner zeroed, bond needs update, <see cref="LinkDefaulted"/>+1);
    /// Defaulted stays. Returns the new status; re-arm the timer for <see cref="RxTimeoutMs"/> while
    /// <see cref="RxTimerRunning"/>.
    /// </summary>
    public LacpMemberStatus RxTimerExpired()
    {
        if (Status == LacpMemberStatus.Current)
        {
            SetExpired();
            LinkExpired++;
        }
        else if (Status == LacpMemberStatus.Expired)
        {
            SetDefaulted();
            LinkDefaulted++;
        }

        return Status;
    }

    /// <summary>
    /// Reports a carrier change or reset (OVS <c>lacp_member_carrier_changed</c>): if the member is Current or the
    /// bond is active it becomes <see cref="LacpMemberStatus.Expired"/> (without counting <see cref="LinkExpired"/>)
    /// and true is returned — re-arm the receive timer for <see cref="RxTimeoutMs"/> (3000). If
    /// <paramref name="up"/> differs from <see cref="CarrierUp"/> it is recorded and
    /// <see cref="CarrierStatusChanged"/> counts it.
    /// </summary>
    public bool SetCarrier(bool up)
    {
        bool expired = false;
        if (Status == LacpMemberStatus.Current || _bond.Mode == LacpMode.Active)
        {
            SetExpired();
            expired = true;
        }

        if (CarrierUp != up)
        {
            CarrierUp = up;
            CarrierStatusChanged++;
        }

        return expired;
    }

    /// <summary>OVS <c>member_set_expired</c>: status Expired, partner Timeout on, partner Synchronization off.</summary>
    internal void SetExpired()
    {
        Status = LacpMemberStatus.Expired;
        Partner = Partner with
        {
            State = (Partner.State | LacpStateFlags.Timeout) & ~LacpStateFlags.Synchronization,
        };
    }

    /// <summary>OVS <c>member_set_defaulted</c>: partner zeroed, status Defaulted, bond needs update.</summary>
    internal void SetDefaulted()
    {
        Partner = default;
        Status = LacpMemberStatus.Defaulted;
        _bond.MarkNeedsUpdate();
    }
}
