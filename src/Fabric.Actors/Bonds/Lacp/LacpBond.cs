using System.Diagnostics.CodeAnalysis;
using Fabric.Datapath.Packets.Lacp;

namespace Fabric.Actors.Bonds.Lacp;

/// <summary>
/// The LACP object of one bond port (OVS <c>lib/lacp.c</c> <c>struct lacp</c>): configuration, the members it
/// controls (<see cref="LacpMember"/>), aggregator selection (<see cref="UpdateAttached"/>) and PDU composition.
/// Pure and clock-free: timers are the caller's (see <see cref="LacpMember"/> remarks for the driving loop, which
/// mirrors <c>lacp_run</c>). Not thread-safe: one owner (the bond actor) mutates it.
/// </summary>
/// <remarks>
/// Configuration follows <c>vswitchd/bridge.c:port_configure_lacp</c> and <c>iface_configure_lacp</c>
/// (ovs-facts §1.9): Port column <c>lacp</c> (<see cref="Mode"/>), <c>other_config:lacp-time</c>
/// (<see cref="Time"/>), <c>lacp-system-id</c> (<see cref="SystemId"/>, default the bridge MAC, never zero),
/// <c>lacp-system-priority</c> (<see cref="SystemPriority"/>, 1..65535, default 65534 with more than one member and
/// 65535 with one), <c>lacp-fallback-ab</c> (<see cref="FallbackAb"/>); per member <c>lacp-port-id</c>,
/// <c>lacp-port-priority</c> and <c>lacp-aggregation-key</c>. With <see cref="LacpMode.Off"/> the object behaves as
/// OVS's absent (NULL) LACP object where that matters: <see cref="Status"/> is <see cref="LacpStatus.Off"/>,
/// <see cref="MayEnable"/> is true and nothing is transmitted. OVS destroys the object when LACP is turned off, so
/// create a fresh <see cref="LacpBond"/> when it is turned on again.
/// </remarks>
public sealed class LacpBond
{
    /// <summary>Fast transmit period in ms (OVS <c>LACP_FAST_TIME_TX</c>; IEEE 802.1AX-2008 §5.4.4 Fast_Periodic_Time).</summary>
    public const int FastTxIntervalMs = 1000;

    /// <summary>Slow transmit period in ms (OVS <c>LACP_SLOW_TIME_TX</c>; 802.1AX-2008 §5.4.4 Slow_Periodic_Time).</summary>
    public const int SlowTxIntervalMs = 30000;

    /// <summary>Receive timeout as a multiple of the transmit period (OVS <c>LACP_RX_MULTIPLIER</c>).</summary>
    public const int RxMultiplier = 3;

    /// <summary>Default port priority (Interface <c>lacp-port-priority</c> unset).</summary>
    public const ushort DefaultPortPriority = 65535;

    private const LacpStateFlags TxCompareMask =
        LacpStateFlags.Activity | LacpStateFlags.Timeout | LacpStateFlags.Synchronization | LacpStateFlags.Aggregation;

    private readonly List<LacpMember> _members = new();
    private LacpMember? _keyMember;

    /// <summary>
    /// Creates the LACP object of port <paramref name="name"/> (OVS <c>lacp_create</c> + <c>lacp_configure</c>).
    /// <paramref name="systemId"/> is a 48-bit MAC (low bits, network order); <paramref name="systemPriority"/> 0 means
    /// the default (65534 multi-member / 65535 single).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="systemId"/> is zero (OVS rejects a zero system id).</exception>
    public LacpBond(string name, LacpMode mode, LacpTime time, ulong systemId, ushort systemPriority = 0, bool fallbackAb = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
        Configure(mode, time, systemId, systemPriority, fallbackAb);
        NeedsUpdate = true;
    }

    /// <summary>Port (bond) name, shown as <c>---- name ----</c>.</summary>
    public string Name { get; }

    /// <summary>Active, passive or off.</summary>
    public LacpMode Mode { get; private set; }

    /// <summary>Our requested rate: sets our actor Timeout bit and our receive timeout.</summary>
    public LacpTime Time { get; private set; }

    /// <summary>System MAC, 48 bits in the low bits, network order.</summary>
    public ulong SystemId { get; private set; }

    /// <summary>The configured <c>lacp-system-priority</c>, 0 if unset (or out of range, which OVS treats as unset).</summary>
    public ushort ConfiguredSystemPriority { get; private set; }

    /// <summary>Effective system priority: <see cref="ConfiguredSystemPriority"/> if set, else 65534 when the port has
    /// more than one member and 65535 otherwise (<c>bridge.c:port_configure_lacp</c>, "prefer bondable links").</summary>
    public ushort SystemPriority => ConfiguredSystemPriority != 0
        ? ConfiguredSystemPriority
        : (ushort)(_members.Count > 1 ? 65534 : 65535);

    /// <summary><c>lacp-fallback-ab</c>: Defaulted members may attach (and be enabled) as in active-backup.</summary>
    public bool FallbackAb { get; private set; }

    /// <summary>The member whose key (or port id) is the aggregation key: the first registered still present.</summary>
    public LacpMember? KeyMember => _keyMember;

    /// <summary>Our operational key: the key member's configured key, or its port id when that key is 0; 0 when there
    /// are no members (<c>lacp/show</c> then prints "none").</summary>
    public ushort AggregationKey => _keyMember is null ? (ushort)0
        : _keyMember.Key != 0 ? _keyMember.Key : _keyMember.PortId;

    /// <summary>True if the last <see cref="UpdateAttached"/> found a lead member.</summary>
    public bool Negotiated { get; private set; }

    /// <summary><see cref="LacpStatus.Off"/> in mode off, else negotiated or configured (OVS <c>lacp_status</c>).</summary>
    public LacpStatus Status => Mode == LacpMode.Off ? LacpStatus.Off
        : Negotiated ? LacpStatus.Negotiated : LacpStatus.Configured;

    /// <summary>True when something changed that can change attachment (OVS <c>lacp-&gt;update</c>): call
    /// <see cref="UpdateAttached"/> before deciding what to transmit or enable.</summary>
    public bool NeedsUpdate { get; private set; }

    /// <summary>Members in registration order.</summary>
    public IReadOnlyList<LacpMember> Members => _members;

    /// <summary>
    /// Reconfigures the object (OVS <c>lacp_configure</c>): a changed system id, effective system priority or
    /// fallback setting sets <see cref="NeedsUpdate"/>; mode and time take effect at the next PDU.
    /// <paramref name="systemPriority"/> 0 means the default.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="systemId"/> is zero or wider than 48 bits.</exception>
    public void Configure(LacpMode mode, LacpTime time, ulong systemId, ushort systemPriority = 0, bool fallbackAb = false)
    {
        if (systemId == 0 || systemId > 0xffff_ffff_ffffUL)
        {
            throw new ArgumentException("The LACP system id must be a non-zero 48-bit MAC.", nameof(systemId));
        }

        ushort oldPriority = SystemPriority;
        ConfiguredSystemPriority = systemPriority;
        if (SystemId != systemId || SystemPriority != oldPriority)
        {
            SystemId = systemId;
            NeedsUpdate = true;
        }

        Mode = mode;
        Time = time;
        if (FallbackAb != fallbackAb)
        {
            FallbackAb = fallbackAb;
            NeedsUpdate = true;
        }
    }

    /// <summary>
    /// Registers member <paramref name="name"/> or updates its settings (OVS <c>lacp_member_register</c>). A new
    /// member starts <see cref="LacpMemberStatus.Defaulted"/> with carrier <paramref name="carrierUp"/> (OVS raises
    /// carrier silently on its first may-enable query of an up link, so an up link is not counted as a carrier
    /// change); the first member becomes the <see cref="KeyMember"/>. If the port id, port priority or key changed
    /// (always so for a new member), <see cref="NeedsUpdate"/> is set and, when the bond is active or negotiated,
    /// the member is set Expired — arm its receive timer for <see cref="LacpMember.RxTimeoutMs"/> (3000) if
    /// <see cref="LacpMember.RxTimerRunning"/>. <paramref name="key"/> 0 = default.
    /// </summary>
    public LacpMember RegisterMember(string name, ushort portId, ushort portPriority = DefaultPortPriority, ushort key = 0, bool carrierUp = true)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!TryGetMember(name, out LacpMember? member))
        {
            member = new LacpMember(this, name, carrierUp);
            _members.Add(member);
            member.SetDefaulted();
            _keyMember ??= member;
        }

        if (member.PortId != portId || member.PortPriority != portPriority || member.Key != key)
        {
            member.PortId = portId;
            member.PortPriority = portPriority;
            member.Key = key;
            NeedsUpdate = true;
            if (Mode == LacpMode.Active || Negotiated)
            {
                member.SetExpired();
            }
        }

        return member;
    }

    /// <summary>Removes member <paramref name="name"/> (OVS <c>lacp_member_unregister</c>); if it was the key member
    /// the first remaining member takes over. Returns false if there was no such member.</summary>
    public bool UnregisterMember(string name)
    {
        if (!TryGetMember(name, out LacpMember? member))
        {
            return false;
        }

        _members.Remove(member);
        if (ReferenceEquals(_keyMember, member))
        {
            _keyMember = _members.Count > 0 ? _members[0] : null;
        }

        NeedsUpdate = true;
        return true;
    }

    /// <summary>Finds a member by name (ordinal).</summary>
    public bool TryGetMember(string name, [NotNullWhen(true)] out LacpMember? member)
    {
        foreach (LacpMember m in _members)
        {
            if (string.Equals(m.Name, name, StringComparison.Ordinal))
            {
                member = m;
                return true;
            }
        }

        member = null;
        return false;
    }

    /// <summary>
    /// Recomputes every member's <see cref="LacpMember.Attached"/> and <see cref="Negotiated"/>, clearing
    /// <see cref="NeedsUpdate"/> (OVS <c>lacp_update_attached</c>, ovs-facts §1.9). First, among members that are
    /// Current and were attached, the best link priority is remembered as the working lead. Then each member is
    /// detached and reconsidered: a member whose partner system is our own is ignored (loopback); a Defaulted member
    /// attaches only with <see cref="FallbackAb"/> and never leads; any other member attaches if there is no working
    /// lead or its partner system equals the working lead's, and the attached member with the best priority (lower
    /// wins; judged from the higher-priority system's view, see <see cref="LinkPriority"/>) becomes the lead unless
    /// the working lead holds. A lead ⇒ negotiated, and then members that are Defaulted with fallback, or whose
    /// partner key or system differs from the lead's, are detached.
    /// </summary>
    public void UpdateAttached()
    {
        NeedsUpdate = false;
        LacpMember? lead = null;
        LacpMember? leadCurrent = null;
        UInt128 leadPri = 0;
        bool leadEnable = false;

        foreach (LacpMember m in _members)
        {
            if (m.Status == LacpMemberStatus.Current && m.Attached)
            {
                UInt128 pri = LinkPriority(m);
                if (leadCurrent is null || pri < leadPri)
                {
                    leadCurrent = m;
                    lead = m;
                    leadPri = pri;
                    leadEnable = true;
                }
            }
        }

        foreach (LacpMember m in _members)
        {
            m.Attached = false;
            if (m.Partner.SystemId == SystemId)
            {
                continue; // Loopback: connected to its own bond.
            }

            if (m.Status == LacpMemberStatus.Defaulted)
            {
                if (FallbackAb)
                {
                    m.Attached = true;
                }

                continue;
            }

            UInt128 pri = LinkPriority(m);

            // As in lacp.c, evaluated after 'attached' was cleared, so it is false here.
            bool enable = MayEnableCore(m);
            if (leadCurrent is null || m.Partner.SystemId == leadCurrent.Partner.SystemId)
            {
                m.Attached = true;
            }

            if (m.Attached
                && (lead is null
                    || (enable && !leadEnable)
                    || (enable == leadEnable && pri < leadPri)))
            {
                lead = m;
                leadEnable = enable;
                leadPri = pri;
            }
        }

        Negotiated = lead is not null;
        if (lead is not null)
        {
            foreach (LacpMember m in _members)
            {
                if ((FallbackAb && m.Status == LacpMemberStatus.Defaulted)
                    || lead.Partner.Key != m.Partner.Key
                    || lead.Partner.SystemId != m.Partner.SystemId)
                {
                    m.Attached = false;
                }
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="member"/> may carry traffic (OVS <c>lacp_member_may_enable</c>): attached and either
    /// its partner is in Synchronization, or <see cref="FallbackAb"/> and it is Defaulted. Always true in mode off
    /// (OVS: no LACP object). Reflects the last <see cref="UpdateAttached"/>.
    /// </summary>
    public bool MayEnable(LacpMember member)
    {
        CheckOwned(member);
        return Mode == LacpMode.Off || MayEnableCore(member);
    }

    /// <summary>
    /// Our actor information for <paramref name="member"/> (OVS <c>member_get_actor</c>): system priority and id,
    /// <see cref="AggregationKey"/>, the member's port priority and id, and state bits Activity if active, Timeout if
    /// fast, Synchronization if attached and not Expired, Defaulted / Expired per status, Aggregation if more than one
    /// member, and Collecting + Distributing if in sync (attached, not Expired) or not negotiated.
    /// </summary>
    public LacpInfo ActorInfo(LacpMember member)
    {
        CheckOwned(member);
        LacpStateFlags state = LacpStateFlags.None;
        if (Mode == LacpMode.Active)
        {
            state |= LacpStateFlags.Activity;
        }

        if (Time == LacpTime.Fast)
        {
            state |= LacpStateFlags.Timeout;
        }

        // An expired member withdraws Synchronization (and Collecting/Distributing below) until it hears its partner
        // again: IEEE 802.1AX-2008 §5.4.15, the Mux machine leaves COLLECTING_DISTRIBUTING when the partner is out of
        // sync. OVS's lacp.c keeps SYNC while expired, so an OVS partner, which judges only by SYNC, would go on sending
        // on a link whose return path died until the member is defaulted (3 more seconds); withdrawing it makes the
        // partner fail over within one PDU of our expiry.
        var inSync = member.Attached && member.Status != LacpMemberStatus.Expired;
        if (inSync)
        {
            state |= LacpStateFlags.Synchronization;
        }

        if (member.Status == LacpMemberStatus.Defaulted)
        {
            state |= LacpStateFlags.Defaulted;
        }

        if (member.Status == LacpMemberStatus.Expired)
        {
            state |= LacpStateFlags.Expired;
        }

        if (_members.Count > 1)
        {
            state |= LacpStateFlags.Aggregation;
        }

        if (inSync || !Negotiated)
        {
            state |= LacpStateFlags.Collecting | LacpStateFlags.Distributing;
        }

        return new LacpInfo(SystemPriority, SystemId, AggregationKey, member.PortPriority, member.PortId, state);
    }

    /// <summary>
    /// Whether <paramref name="member"/> may send PDUs at all (OVS <c>member_may_tx</c>): carrier up, and the bond
    /// active or the member not Defaulted — so a passive bond speaks only after hearing a partner. False in mode off.
    /// </summary>
    public bool ShouldTransmit(LacpMember member)
    {
        CheckOwned(member);
        return Mode != LacpMode.Off
            && member.CarrierUp
            && (Mode == LacpMode.Active || member.Status != LacpMemberStatus.Defaulted);
    }

    /// <summary>
    /// Composes the 124-byte LACP frame <paramref name="member"/> sends now (OVS <c>lacp_run</c> transmit step):
    /// actor = <see cref="ActorInfo"/>, partner = <see cref="LacpMember.Partner"/>, Ethernet source
    /// <paramref name="sourceMac"/> (the member's MAC, 48 bits, network order). Records the actor as
    /// <see cref="LacpMember.EchoedActor"/>, counts <see cref="LacpMember.TxPdus"/> and returns the frame length. The
    /// caller checks <see cref="ShouldTransmit"/> first and arms the transmit timer for
    /// <see cref="LacpMember.TxIntervalMs"/> after.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="LacpPdu.FrameLength"/>.</exception>
    public int ComposePdu(LacpMember member, Span<byte> destination, ulong sourceMac)
    {
        LacpInfo actor = ActorInfo(member);
        LacpInfo partner = member.Partner;
        int length = LacpPdu.Compose(destination, sourceMac, actor, partner);
        member.EchoedActor = actor;
        member.TxPdus++;
        return length;
    }

    /// <summary>
    /// OVS <c>info_tx_equal</c>: true if <paramref name="a"/> and <paramref name="b"/> agree on port, port priority,
    /// key, system priority, system and the Activity, Timeout, Synchronization and Aggregation bits.
    /// </summary>
    internal static bool TxEqual(in LacpInfo a, in LacpInfo b) =>
        ((a.State ^ b.State) & TxCompareMask) == 0
        && a.PortId == b.PortId
        && a.PortPriority == b.PortPriority
        && a.Key == b.Key
        && a.SystemPriority == b.SystemPriority
        && a.SystemId == b.SystemId;

    /// <summary>OVS <c>member_may_enable__</c>, without the mode-off shortcut.</summary>
    internal bool MayEnableCore(LacpMember member) =>
        member.Attached
        && ((member.Partner.State & LacpStateFlags.Synchronization) != 0
            || (FallbackAb && member.Status == LacpMemberStatus.Defaulted));

    internal void MarkNeedsUpdate() => NeedsUpdate = true;

    /// <summary>
    /// OVS <c>member_get_priority</c>: the link's priority seen from the higher-priority system (lower system
    /// priority, tie → lower MAC) — our actor info if that is us, else the partner's — packed in wire order with key
    /// and state zeroed, so that comparing two values compares like <c>memcmp</c>: lower = better.
    /// Bits: system priority 111..96, system 95..48, (key) 47..32, port priority 31..16, port 15..0.
    /// </summary>
    internal UInt128 LinkPriority(LacpMember member)
    {
        ushort actorPriority = SystemPriority;
        ushort partnerPriority = member.Partner.SystemPriority;
        LacpInfo info = actorPriority < partnerPriority ? ActorInfo(member)
            : partnerPriority < actorPriority ? member.Partner
            : SystemId < member.Partner.SystemId ? ActorInfo(member)
            : member.Partner;
        return ((UInt128)info.SystemPriority << 96) | ((UInt128)info.SystemId << 48)
            | ((UInt128)info.PortPriority << 16) | info.PortId;
    }

    private void CheckOwned(LacpMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        if (!ReferenceEquals(member.Bond, this))
        {
            throw new ArgumentException($"Member {member.Name} does not belong to LACP object {Name}.", nameof(member));
        }
    }
}
