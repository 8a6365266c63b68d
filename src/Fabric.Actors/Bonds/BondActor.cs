using Akka.Actor;
using Akka.Event;
using Fabric.Actors.Bonds.Balancing;
using Fabric.Actors.Bonds.Lacp;
using Fabric.Actors.Bridge;
using Fabric.Actors.Diagnostics;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Bonds;
using Fabric.Datapath.Packets;
using Fabric.Datapath.Packets.Lacp;
using static Fabric.Actors.Bonds.BondProtocol;
using static Fabric.Actors.Bonds.MemberProtocol;
using static Fabric.Actors.Datapath.DatapathProtocol;
using DatapathEngine = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Actors.Bonds;

/// <summary>
/// One bond (OVS <c>ofproto/bond.c</c>, ovs-facts §1): owns its mode, its 256 hash buckets and their members, its
/// active member, its LACP object (<see cref="LacpBond"/>) and its rebalancing, and runs one <see cref="MemberActor"/>
/// per member (children <c>member-&lt;name&gt;</c>). Every decision is published to the datapath actor as a new bond
/// map (<see cref="SetBond"/>); the datapath resolves bond outputs through that map per packet, so a failover or a
/// rebalance takes effect on the next packet without new megaflows, and a crash of this actor changes nothing on the
/// wire: the restarted actor reads the map back from the datapath and carries on from it.
/// </summary>
/// <remarks>
/// <para>Failover (§1.5–§1.7): when a member is disabled its buckets move to enabled members at once (round robin);
/// the active member is chosen by OVS's order (primary, last active, any enabled; with none enabled the member whose
/// updelay ends first is enabled at once), a primary pre-empts in active-backup; on every change of active member and
/// every disable, gratuitous learning RARPs for each MAC learned on another port go out on the bond.</para>
/// <para>Rebalancing (§1.4) is a periodic Akka timer (<see cref="BondSettings.EffectiveRebalanceInterval"/>) that reads
/// the datapath's per-bucket byte counters and runs <see cref="BondRebalancer"/>.</para>
/// <para>LACP (§1.9): LACPDUs come up as upcalls through the bridge (<see cref="LacpReceived"/>), PDUs go out as
/// packet-outs on the member; the members keep the transmit and receive timers.</para>
/// </remarks>
public sealed class BondActor : ReceiveActor, IWithTimers
{
    private const string RebalanceTimer = "rebalance";
    private const string LacpHoldTimer = "lacp-hold";

    private readonly string _bridge;
    private readonly BridgePort _port;
    private readonly BondSettings _settings;
    private readonly DatapathEngine _datapath;
    private readonly IActorRef _datapathActor;
    private readonly PublishedMacTable _macs;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Member[] _members;
    private readonly int[] _bucketMember = new int[BondMap.Buckets];
    private readonly long[] _bucketBytes = new long[BondMap.Buckets];
    private readonly long[] _countersSeen = new long[BondMap.Buckets];
    private readonly LacpBond? _lacp;
    private int _active = -1;
    private string? _lastActive;
    private int _roundRobin;
    private int _spreadOver;
    private bool _revalidateWhenSet;
    private bool _sendLearningPackets;
    private bool _lacpHeld;
    private BondMap? _published;
    private long _nextRebalanceMs;
    private long _rebalances;
    private long _learningPacketsSent;

    /// <summary>Creates the actor of bond port <paramref name="port"/> of bridge <paramref name="bridge"/>.</summary>
    /// <param name="bridge">Bridge name (for logs).</param>
    /// <param name="port">The bond port (its <see cref="BridgePort.Bond"/> is set).</param>
    /// <param name="datapath">The datapath: member ports, the bond's current map and bucket counters, packet-outs.</param>
    /// <param name="datapathActor">The datapath actor, the only writer of bond maps.</param>
    /// <param name="macs">The bridge's published MAC table (for learning packets).</param>
    /// <exception cref="ArgumentException"><paramref name="port"/> is not a bond.</exception>
    public BondActor(string bridge, BridgePort port, DatapathEngine datapath, IActorRef datapathActor, PublishedMacTable macs)
    {
        _bridge = bridge;
        _port = port;
        _settings = port.Bond ?? throw new ArgumentException($"port {port.Name} is not a bond", nameof(port));
        _datapath = datapath;
        _datapathActor = datapathActor;
        _macs = macs;
        _members = _settings.Members.Select(m => new Member(m)).ToArray();
        Array.Fill(_bucketMember, -1);
        if (_settings.Lacp != LacpMode.Off)
        {
            var systemId = _settings.LacpSystemId != 0 ? _settings.LacpSystemId : FirstNonZeroMac();
            _lacp = new LacpBond(port.Name, _settings.Lacp, _settings.LacpTime, systemId == 0 ? 0x0200_0000_0001UL : systemId, (ushort)_settings.LacpSystemPriority, _settings.LacpFallbackAb);
            foreach (var m in _members)
            {
                // With the link's current carrier, so that an up link does not count as a carrier change (as OVS).
                m.CarrierUp = _datapath.GetPort(m.Settings.DpPort)?.CarrierUp ?? false;
                m.Lacp = _lacp.RegisterMember(m.Settings.Name, m.Settings.DpPort, carrierUp: m.CarrierUp);
            }
        }

        Receive<MemberStarted>(OnMemberStarted);
        Receive<MemberStatus>(OnMemberStatus);
        Receive<LacpReceived>(OnLacpReceived);
        Receive<LacpTransmitDue>(m => { if (Find(m.Name) is { } member) { Transmit(member); } });
        Receive<LacpReceiveExpired>(OnLacpExpired);
        Receive<RebalanceTick>(_ => Rebalance());
        Receive<LacpHoldExpired>(_ =>
        {
            _lacpHeld = false;
            UpdateLacp();
            Publish();
        });
        Receive<GetBondStatus>(_ => Sender.Tell(Status()));
        Receive<GetLacp>(m => Sender.Tell(new LacpText(_lacp is null ? null : m.Stats ? LacpFormatter.ShowStats(_lacp) : LacpFormatter.Show(_lacp))));
        Receive<Migrate>(OnMigrate);
        Receive<SetActiveMember>(OnSetActiveMember);
        Receive<SetMemberEnabled>(OnSetMemberEnabled);
        Receive<BondSet>(_ =>
        {
            if (_revalidateWhenSet)
            {
                _revalidateWhenSet = false;
                Context.Parent.Tell(Fabric.Actors.Bridge.BridgeProtocol.RevalidateAll.Instance);
            }
        });
        Receive<InjectFault>(f => throw new InjectedFailureException(f.Why));
    }

    /// <summary>Timers (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for a bond actor.</summary>
    public static Props Props(string bridge, BridgePort port, DatapathEngine datapath, IActorRef datapathActor, PublishedMacTable macs) =>
        Akka.Actor.Props.Create(() => new BondActor(bridge, port, datapath, datapathActor, macs));

    private long NowMs => _datapath.Clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>True when this bond spreads load over buckets right now (OVS bond_is_balanced).</summary>
    private bool Balanced => _settings.Mode != BondMode.ActiveBackup && !FallbackActive && _settings.EffectiveRebalanceInterval > TimeSpan.Zero;

    /// <summary>LACP is configured, not negotiated, and lacp-fallback-ab lets the bond run as active-backup.</summary>
    private bool FallbackActive => _lacp is not null && !LacpNegotiated && _settings.LacpFallbackAb;

    /// <summary>LACP is negotiated, or held as negotiated after a restart (see <see cref="RestoreFromDatapath"/>).</summary>
    private bool LacpNegotiated => _lacp is { Negotiated: true } || _lacpHeld;

    /// <inheritdoc />
    protected override void PreStart()
    {
        RestoreFromDatapath();
        for (var i = 0; i < _members.Length; i++)
        {
            _members[i].Actor = Context.ActorOf(MemberActor.Props(_settings, _members[i].Settings, _datapath), "member-" + _members[i].Settings.Name);
        }

        var interval = _settings.EffectiveRebalanceInterval;
        if (_settings.Mode != BondMode.ActiveBackup && interval > TimeSpan.Zero)
        {
            _nextRebalanceMs = NowMs + (long)interval.TotalMilliseconds;
            Timers.StartPeriodicTimer(RebalanceTimer, RebalanceTick.Instance, interval);
        }

        if (_lacpHeld)
        {
            // Three of our own transmit periods, LACP's own patience with a silent partner.
            var hold = LacpBond.RxMultiplier * (_settings.LacpTime == LacpTime.Fast ? LacpBond.FastTxIntervalMs : LacpBond.SlowTxIntervalMs);
            Timers.StartSingleTimer(LacpHoldTimer, LacpHoldExpired.Instance, TimeSpan.FromMilliseconds(hold));
        }

        UpdateLacp();
        Publish();
    }

    /// <summary>
    /// A restarted bond carries on from the map the datapath forwards by: members' states, buckets, active member.
    /// Its LACP state machine starts afresh (partners unknown, members expired), so when the map was negotiated the
    /// restored verdicts (negotiated, each member's may_enable) are held until LACP has heard the partners again, or
    /// for at most three of its transmit periods: a crash then changes nothing on the wire.
    /// </summary>
    private void RestoreFromDatapath()
    {
        if (_datapath.Bonds.Get(_settings.BondId) is not { } map)
        {
            return;
        }

        _published = map;
        for (var i = 0; i < _members.Length; i++)
        {
            if (map.Member(_members[i].Settings.DpPort) is { } known)
            {
                _members[i].Enabled = known.Enabled;
            }
        }

        for (var b = 0; b < BondMap.Buckets; b++)
        {
            _bucketMember[b] = IndexOfDp(map.OutputOf(b));
        }

        _active = IndexOfDp(map.ActiveMember);
        _lastActive = _active >= 0 ? _members[_active].Settings.Name : null;
        map.Counters.Sum(_countersSeen);
        if (_lacp is not null && map.InputRule == BondInputRule.Negotiated)
        {
            _lacpHeld = true;
            foreach (var m in _members)
            {
                m.HeldMayEnable = map.Member(m.Settings.DpPort)?.MayEnable ?? false;
            }
        }

        // The restored buckets were already dealt out over these members: do not deal the unused ones out again.
        _spreadOver = Array.FindAll(_members, m => m.Enabled).Length;
    }

    /// <summary>
    /// A member actor (re)started: a restarted one has lost its LACP transmit and receive timers and its pending
    /// updelay skip, so it is told again what LACP needs of it.
    /// </summary>
    private void OnMemberStarted(MemberStarted s)
    {
        if (Find(s.Name) is not { } m)
        {
            return;
        }

        m.LastConfigure = null;
        m.SkipRequested = false;
        UpdateLacp();
    }

    private void OnMemberStatus(MemberStatus s)
    {
        if (Find(s.Name) is not { } m)
        {
            return;
        }

        var wasEnabled = m.Enabled;
        m.Reported = true;
        m.Enabled = s.Enabled;
        m.DelayKind = s.DelayKind;
        m.DelayDueMs = s.DelayDueMs;
        if (m.CarrierUp != s.CarrierUp)
        {
            m.CarrierUp = s.CarrierUp;
            if (m.Lacp is { } lm && lm.SetCarrier(s.CarrierUp))
            {
                UpdateLacp();

                // The member is expired now and its receive timer starts again (OVS lacp_member_carrier_changed →
                // member_set_expired): without this it would keep running from the last PDU.
                m.Actor.Tell(PduReceived.Instance);
            }
        }

        if (wasEnabled != m.Enabled)
        {
            _log.Info("bond {0}: member {1} {2}", _port.Name, s.Name, m.Enabled ? "enabled" : "disabled");
            if (!m.Enabled)
            {
                _sendLearningPackets = true;
            }
        }

        Publish();
    }

    private void OnLacpReceived(LacpReceived m)
    {
        var index = IndexOfDp(m.DpPort);
        if (index < 0 || _members[index].Lacp is not { } lm)
        {
            return;
        }

        if (lm.ReceiveFrame(m.Frame.Span) == LacpParseResult.Lacp && lm.CarrierUp)
        {
            _members[index].Actor.Tell(PduReceived.Instance);
        }

        UpdateLacp();
        Publish();
    }

    private void OnLacpExpired(LacpReceiveExpired m)
    {
        if (Find(m.Name)?.Lacp is not { } lm)
        {
            return;
        }

        lm.RxTimerExpired();
        UpdateLacp();
        Publish();
    }

    /// <summary>Runs LACP's attach logic and tells every member what it may do and which timers it needs; sends PDUs whose actor info changed.</summary>
    private void UpdateLacp()
    {
        if (_lacp is null)
        {
            return;
        }

        _lacp.UpdateAttached();
        if (_lacpHeld && _lacp.Negotiated && Array.TrueForAll(_members, m => !m.HeldMayEnable || m.Lacp!.MayEnable))
        {
            // LACP has caught up with what the restored map said: it decides again.
            _lacpHeld = false;
            Timers.Cancel(LacpHoldTimer);
        }

        foreach (var m in _members)
        {
            var lm = m.Lacp!;
            var tx = _lacp.ShouldTransmit(lm) ? TimeSpan.FromMilliseconds(lm.TxIntervalMs) : TimeSpan.Zero;
            var rx = lm.RxTimerRunning ? TimeSpan.FromMilliseconds(lm.RxTimeoutMs) : TimeSpan.Zero;
            var config = new Configure(MayEnable(m), tx, rx);
            if (config != m.LastConfigure)
            {
                m.LastConfigure = config;
                m.Actor.Tell(config);
            }

            if (tx > TimeSpan.Zero && lm.NeedsTransmitNow)
            {
                Transmit(m);
            }
        }
    }

    private void Transmit(Member m)
    {
        if (_lacp is null || m.Lacp is not { } lm || !_lacp.ShouldTransmit(lm))
        {
            return;
        }

        if (_lacpHeld && lm.Status != LacpMemberStatus.Current)
        {
            // A restarted bond has not heard this member's partner yet: a PDU now would say "expired, not in sync" and
            // make the partner drop the link. It stays silent (the partner waits 3 of its periods for us) until it hears.
            return;
        }

        var frame = new byte[LacpPdu.FrameLength];
        var length = _lacp.ComposePdu(lm, frame, MacOf(m));
        _datapath.Execute(0, frame.AsSpan(0, length), DatapathActions.OutputTo(m.Settings.DpPort));
    }

    /// <summary>Chooses the active member, fills buckets, publishes the map when it changed, and sends learning packets when due.</summary>
    private void Publish()
    {
        ChooseActive();
        var enabled = EnabledFlags();
        if (_settings.Mode != BondMode.ActiveBackup)
        {
            SpreadUnusedBuckets(enabled);
            BucketAssignment.FillUnassigned(_bucketMember, enabled, ref _roundRobin);
        }

        var outputs = new ushort[BondMap.Buckets];
        var effective = EffectiveOutput();
        for (var b = 0; b < outputs.Length; b++)
        {
            outputs[b] = effective switch
            {
                OutputKind.Active => _active >= 0 ? _members[_active].Settings.DpPort : (ushort)0,
                OutputKind.Buckets => _bucketMember[b] >= 0 ? _members[_bucketMember[b]].Settings.DpPort : (ushort)0,
                _ => 0,
            };
        }

        var members = new List<BondMember>(_members.Length);
        foreach (var m in _members)
        {
            members.Add(new BondMember(m.Settings.DpPort, m.Enabled, MayEnable(m)));
        }

        var activeDp = _active >= 0 ? _members[_active].Settings.DpPort : (ushort)0;
        var rule = InputRule();
        var allActive = _settings.AllMembersActive && _settings.Mode == BondMode.BalanceSlb && _lacp is null;
        var previous = _published;
        if (previous is null || previous.ActiveMember != activeDp || previous.InputRule != rule || previous.AllMembersActive != allActive
            || !previous.Outputs.SequenceEqual(outputs) || !previous.Members.SequenceEqual(members))
        {
            _published = new BondMap(_settings.BondId, _port.Name, _settings.Mode, outputs, activeDp, members, rule, allActive, _datapath.Bonds.CountersFor(_settings.BondId));
            _datapathActor.Tell(new SetBond(_settings.BondId, _port.Name, _settings.Mode, outputs, activeDp, members, rule, allActive), Self);
            if (previous is not null && (previous.ActiveMember != activeDp || previous.InputRule != rule || !previous.Members.SequenceEqual(members)))
            {
                // Input verdicts (active member, admissibility) are cached in the members' megaflows: translate them
                // again. No sender: the datapath actor's FlowsDeleted reply would only be an unhandled message here.
                _datapathActor.Tell(new DeletePortFlows(_port.DpPorts), ActorRefs.NoSender);

                // An upcall translated against the previous map may still be on its way to the datapath actor: once the
                // new map is live (BondSet), the bridge marks every megaflow stale, so the next revalidation sweep
                // translates such a one again.
                _revalidateWhenSet = true;
            }
        }

        if (_sendLearningPackets)
        {
            SendLearningPackets();
        }
    }

    /// <summary>
    /// OVS gives a bucket its member when the bucket first carries a packet (choose_output_member), so buckets spread over
    /// the members enabled by then. Fabric assigns all 256 up front, so when more members become enabled, the buckets
    /// that have not carried a byte yet are dealt out again over all enabled members; buckets with traffic stay where
    /// they are (only rebalancing moves them).
    /// </summary>
    private void SpreadUnusedBuckets(bool[] enabled)
    {
        var count = enabled.Count(e => e);
        if (count <= _spreadOver)
        {
            _spreadOver = count;
            return;
        }

        _spreadOver = count;

        // Deal from the first member, so the layout does not depend on which member actor happened to report first.
        _roundRobin = 0;
        Span<long> sent = stackalloc long[BondMap.Buckets];
        sent.Clear();
        _datapath.Bonds.Get(_settings.BondId)?.Counters.Sum(sent);
        for (var b = 0; b < BondMap.Buckets; b++)
        {
            if (sent[b] == 0 && _bucketBytes[b] == 0)
            {
                _bucketMember[b] = -1;
            }
        }
    }

    /// <summary>OVS bond_choose_member and the re-choice rules of bond_run (ovs-facts §1.6).</summary>
    private void ChooseActive()
    {
        if (!Array.TrueForAll(_members, m => m.Reported))
        {
            // Until every member actor has reported its link once, "the first member up" would only be the first
            // actor to get a thread: wait, then choose in configuration order as OVS's single pass over its members does.
            return;
        }

        var primaryRule = _settings.Primary is not null && (_settings.Mode == BondMode.ActiveBackup || _settings.LacpFallbackAb);
        var primary = primaryRule ? Array.FindIndex(_members, m => m.Settings.Name == _settings.Primary && m.Enabled) : -1;
        var needChoice = _active < 0 || !_members[_active].Enabled || (primary >= 0 && primary != _active && _settings.Mode == BondMode.ActiveBackup);
        if (!needChoice)
        {
            return;
        }

        var chosen = primary;
        if (chosen < 0 && _lastActive is not null)
        {
            chosen = Array.FindIndex(_members, m => m.Settings.Name == _lastActive && m.Enabled);
        }

        if (chosen < 0)
        {
            chosen = Array.FindIndex(_members, m => m.Enabled);
        }

        if (chosen < 0)
        {
            // None enabled: the member whose updelay ends first is enabled at once ("skipping remaining updelay").
            var soonest = -1;
            for (var i = 0; i < _members.Length; i++)
            {
                var m = _members[i];
                if (m.DelayKind == "updelay" && (soonest < 0 || m.DelayDueMs < _members[soonest].DelayDueMs))
                {
                    soonest = i;
                }
            }

            if (soonest >= 0 && !_members[soonest].SkipRequested)
            {
                _members[soonest].SkipRequested = true;
                _members[soonest].Actor.Tell(SkipUpdelay.Instance);
            }
        }

        if (chosen == _active)
        {
            return;
        }

        var had = _active >= 0;
        _active = chosen;
        foreach (var m in _members)
        {
            m.SkipRequested = false;
        }

        if (chosen >= 0)
        {
            _lastActive = _members[chosen].Settings.Name;
            _log.Info("bond {0}: active member is now {1}", _port.Name, _lastActive);
            _sendLearningPackets = true;
        }
        else if (had)
        {
            _log.Info("bond {0}: all members disabled", _port.Name);
        }
    }

    private OutputKind EffectiveOutput()
    {
        if (_lacp is not null && !LacpNegotiated)
        {
            return _settings.LacpFallbackAb ? OutputKind.Active : OutputKind.None;
        }

        return _settings.Mode switch
        {
            BondMode.ActiveBackup => OutputKind.Active,
            BondMode.BalanceTcp when _lacp is null => OutputKind.None,
            _ => OutputKind.Buckets,
        };
    }

    private BondInputRule InputRule()
    {
        if (_lacp is not null && LacpNegotiated)
        {
            return BondInputRule.Negotiated;
        }

        if (_lacp is not null && !_settings.LacpFallbackAb)
        {
            return BondInputRule.DropAll;
        }

        return _settings.Mode switch
        {
            BondMode.BalanceSlb => BondInputRule.Slb,
            BondMode.BalanceTcp when _lacp is null => BondInputRule.DropAll,
            _ => BondInputRule.ActiveOnly,
        };
    }

    /// <summary>
    /// OVS bundle_send_learning_packets (ovs-facts §1.7): a RARP for every MAC learned on another port of the bridge,
    /// tagged with its VLAN, sent on the member that MAC's traffic would leave by.
    /// </summary>
    private void SendLearningPackets()
    {
        _sendLearningPackets = false;
        var lacpAllows = (_lacp is null && _settings.Mode is BondMode.BalanceSlb or BondMode.ActiveBackup) || FallbackActive;
        if (!lacpAllows || _active < 0)
        {
            return;
        }

        var frame = new byte[LearningPacket.TaggedLength];
        foreach (var ((vlan, mac), ofPort) in _macs.Current.Ports)
        {
            if (ofPort == _port.OfPort)
            {
                continue;
            }

            var member = _active;
            if (_settings.Mode == BondMode.BalanceSlb && !FallbackActive)
            {
                var b = BondHash.Bucket(BondHash.SlbHash(mac, vlan, _settings.HashBasis));
                member = _bucketMember[b] >= 0 ? _bucketMember[b] : _active;
            }

            var length = LearningPacket.ComposeRarp(frame, mac, vlan);
            _datapath.Execute(0, frame.AsSpan(0, length), DatapathActions.OutputTo(_members[member].Settings.DpPort));
            _learningPacketsSent++;
        }
    }

    /// <summary>OVS bond_rebalance: fold the datapath's bucket byte counters into the loads, move buckets, halve the loads.</summary>
    private void Rebalance()
    {
        _nextRebalanceMs = NowMs + (long)_settings.EffectiveRebalanceInterval.TotalMilliseconds;
        var map = _datapath.Bonds.Get(_settings.BondId);
        if (map is null)
        {
            return;
        }

        Span<long> now = stackalloc long[BondMap.Buckets];
        map.Counters.Sum(now);
        for (var b = 0; b < BondMap.Buckets; b++)
        {
            _bucketBytes[b] += now[b] - _countersSeen[b];
            _countersSeen[b] = now[b];
        }

        if (!Balanced)
        {
            return;
        }

        var result = BondRebalancer.Rebalance(_bucketMember, _bucketBytes, EnabledFlags());
        if (!result.Rebalanced)
        {
            return;
        }

        _rebalances++;
        result.BucketMember.CopyTo(_bucketMember);
        var names = _members.Select(m => m.Settings.Name).ToArray();
        _log.Info(BondRebalancer.FormatRebalanced(_port.Name, names, result.MemberLoads.AsSpan()));
        Publish();
    }

    private void OnMigrate(Migrate m)
    {
        if (_settings.Mode == BondMode.ActiveBackup || FallbackActive)
        {
            Sender.Tell(new CommandResult(false, "not an SLB bond"));
            return;
        }

        if (m.Bucket is < 0 or >= BondMap.Buckets)
        {
            Sender.Tell(new CommandResult(false, "bad hash"));
            return;
        }

        var index = Array.FindIndex(_members, x => x.Settings.Name == m.Member);
        if (index < 0)
        {
            Sender.Tell(new CommandResult(false, "no such member"));
            return;
        }

        if (!_members[index].Enabled)
        {
            Sender.Tell(new CommandResult(false, "cannot migrate to disabled member"));
            return;
        }

        _bucketMember[m.Bucket] = index;
        Publish();
        Sender.Tell(new CommandResult(true, "migrated"));
    }

    private void OnSetActiveMember(SetActiveMember m)
    {
        var index = Array.FindIndex(_members, x => x.Settings.Name == m.Member);
        if (index < 0)
        {
            Sender.Tell(new CommandResult(false, "no such member"));
            return;
        }

        if (!_members[index].Enabled)
        {
            Sender.Tell(new CommandResult(false, "cannot make disabled member active"));
            return;
        }

        if (index == _active)
        {
            Sender.Tell(new CommandResult(true, "no change"));
            return;
        }

        _active = index;
        _lastActive = m.Member;
        _log.Info("bond {0}: active member is now {1}", _port.Name, m.Member);
        _sendLearningPackets = true;
        Publish();
        Sender.Tell(new CommandResult(true, "done"));
    }

    private void OnSetMemberEnabled(SetMemberEnabled m)
    {
        if (Find(m.Member) is not { } member)
        {
            Sender.Tell(new CommandResult(false, "no such member"));
            return;
        }

        // The member answers this actor with its new status, which republishes the map.
        member.Actor.Tell(new SetAdminState(m.Enabled), Self);
        Sender.Tell(new CommandResult(true, m.Enabled ? "enabled" : "disabled"));
    }

    private BondStatus Status()
    {
        var now = NowMs;
        Span<long> loads = stackalloc long[BondMap.Buckets];
        loads.Clear();
        for (var b = 0; b < BondMap.Buckets; b++)
        {
            loads[b] = _bucketBytes[b];
        }

        var views = new List<MemberView>();
        for (var i = 0; i < _members.Length; i++)
        {
            var m = _members[i];
            var buckets = new List<(int, long)>();
            if (Balanced)
            {
                for (var b = 0; b < BondMap.Buckets; b++)
                {
                    if (_bucketMember[b] == i && loads[b] >= 1024)
                    {
                        buckets.Add((b, loads[b] / 1024));
                    }
                }
            }

            views.Add(new MemberView(m.Settings.Name, m.Enabled, MayEnable(m), m.CarrierUp, m.DelayKind, m.DelayKind is null ? 0 : Math.Max(0, m.DelayDueMs - now), MacOf(m), buckets));
        }

        views.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var active = _active >= 0 ? _members[_active] : null;
        return new BondStatus(
            _port.Name,
            _settings.BondId,
            _settings,
            _lacp?.Status ?? LacpStatus.Off,
            active?.Settings.Name,
            active is null ? 0 : MacOf(active),
            Balanced ? Math.Max(0, _nextRebalanceMs - now) : -1,
            views,
            _rebalances,
            _learningPacketsSent);
    }

    private bool[] EnabledFlags()
    {
        var enabled = new bool[_members.Length];
        for (var i = 0; i < enabled.Length; i++)
        {
            enabled[i] = _members[i].Enabled;
        }

        return enabled;
    }

    private ulong MacOf(Member m) =>
        m.Settings.MacAddress != 0 ? m.Settings.MacAddress : _datapath.GetPort(m.Settings.DpPort)?.MacAddress ?? 0;

    private ulong FirstNonZeroMac()
    {
        foreach (var m in _members)
        {
            if (MacOf(m) is var mac and not 0)
            {
                return mac;
            }
        }

        return 0;
    }

    private Member? Find(string name) => Array.Find(_members, m => m.Settings.Name == name);

    /// <summary>LACP allows the member (always without LACP; as restored while the restored verdicts are held).</summary>
    private bool MayEnable(Member m) => m.Lacp is not { } lm || lm.MayEnable || (_lacpHeld && m.HeldMayEnable);

    private int IndexOfDp(ushort dp) => dp == 0 ? -1 : Array.FindIndex(_members, m => m.Settings.DpPort == dp);

    private sealed class LacpHoldExpired
    {
        public static readonly LacpHoldExpired Instance = new();
    }

    private enum OutputKind
    {
        None,
        Active,
        Buckets,
    }

    /// <summary>What the bond knows of one member.</summary>
    private sealed class Member(BondMemberSettings settings)
    {
        public BondMemberSettings Settings { get; } = settings;

        public IActorRef Actor { get; set; } = ActorRefs.Nobody;

        public LacpMember? Lacp { get; set; }

        public bool Enabled { get; set; }

        public bool CarrierUp { get; set; }

        public string? DelayKind { get; set; }

        public long DelayDueMs { get; set; }

        public bool SkipRequested { get; set; }

        /// <summary>The member actor has sent at least one status since this actor (re)started.</summary>
        public bool Reported { get; set; }

        /// <summary>may_enable as the restored map had it (used while <see cref="_lacpHeld"/>).</summary>
        public bool HeldMayEnable { get; set; }

        public Configure? LastConfigure { get; set; }
    }
}
