using Akka.Actor;
using Fabric.Actors.Diagnostics;
using static Fabric.Actors.Bonds.MemberProtocol;
using DatapathEngine = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Actors.Bonds;

/// <summary>
/// One bond member (OVS <c>struct bond_member</c> link handling, ovs-facts §1.5, and its LACP timers, §1.9): polls the
/// interface's carrier (every 20 ms, or every miimon interval), runs updelay and downdelay, and tells its bond (the
/// parent) whenever it becomes enabled or disabled; it also keeps the LACP transmit and receive timers the bond asks for.
/// All timing is Akka timers, so tests drive it with the TestScheduler.
/// </summary>
/// <remarks>
/// A member is "up" when its carrier is up, LACP allows it (<see cref="Configure.MayEnable"/>) and it is not disabled
/// administratively. When up differs from enabled a timer starts (updelay going up, downdelay going down); if the
/// state flips back first the timer is cancelled; at expiry the member is enabled or disabled. A restarted member
/// starts from the datapath's bond map (enabled as it was there), so a crash changes nothing on the wire.
/// </remarks>
public sealed class MemberActor : ReceiveActor, IWithTimers
{
    private const string PollTimer = "poll";
    private const string DelayTimer = "delay";
    private const string TxTimer = "lacp-tx";
    private const string RxTimer = "lacp-rx";

    private readonly BondSettings _bond;
    private readonly BondMemberSettings _member;
    private readonly DatapathEngine _datapath;
    private bool _carrier;
    private bool _mayEnable;
    private bool _adminUp = true;
    private bool _enabled;
    private string? _delayKind;
    private long _delayDueMs;
    private long _carrierChanges;
    private TimeSpan _tx;
    private TimeSpan _rx;

    /// <summary>Creates the actor of <paramref name="member"/> of <paramref name="bond"/>.</summary>
    /// <param name="bond">The bond's configuration (delays, detection mode).</param>
    /// <param name="member">This member.</param>
    /// <param name="datapath">The datapath: the member's port (carrier) and the bond's current map (state after a restart).</param>
    public MemberActor(BondSettings bond, BondMemberSettings member, DatapathEngine datapath)
    {
        _bond = bond;
        _member = member;
        _datapath = datapath;
        _mayEnable = bond.Lacp == Lacp.LacpMode.Off;
        Receive<Poll>(_ => PollLink());
        Receive<DelayExpired>(_ => OnDelayExpired());
        Receive<Configure>(OnConfigure);
        Receive<PduReceived>(_ => ArmRx());
        Receive<SkipUpdelay>(_ => OnSkipUpdelay());
        Receive<SetAdminState>(m =>
        {
            _adminUp = m.Enabled;
            if (!m.Enabled && _enabled)
            {
                // bond/disable-member takes effect at once, without downdelay.
                CancelDelay();
                SetEnabled(false);
            }
            else
            {
                Evaluate();
            }

            Sender.Tell(Status());
        });
        Receive<TxTick>(_ => Context.Parent.Tell(new LacpTransmitDue(_member.Name)));
        Receive<RxTick>(_ => Context.Parent.Tell(new LacpReceiveExpired(_member.Name)));
        Receive<GetStatus>(_ => Sender.Tell(Status()));
        Receive<InjectFault>(f => throw new InjectedFailureException(f.Why));
    }

    /// <summary>Timers (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for a member actor.</summary>
    public static Props Props(BondSettings bond, BondMemberSettings member, DatapathEngine datapath) =>
        Akka.Actor.Props.Create(() => new MemberActor(bond, member, datapath));

    private long NowMs => _datapath.Clock.GetUtcNow().ToUnixTimeMilliseconds();

    private bool Up => _carrier && _mayEnable && _adminUp;

    /// <inheritdoc />
    protected override void PreStart()
    {
        _carrier = ReadCarrier();
        if (_datapath.Bonds.Get(_bond.BondId)?.Member(_member.DpPort) is { } known)
        {
            // A restarted member (or a restarted process): carry on from what the datapath forwards by.
            _enabled = known.Enabled;
            _mayEnable = known.MayEnable || _bond.Lacp == Lacp.LacpMode.Off;
        }

        Timers.StartPeriodicTimer(PollTimer, Poll.Instance, _bond.LinkPollInterval);
        Context.Parent.Tell(new MemberStarted(_member.Name));
        Evaluate();
        Context.Parent.Tell(Status());
    }

    private bool ReadCarrier() => _datapath.GetPort(_member.DpPort)?.CarrierUp ?? false;

    private void PollLink()
    {
        var carrier = ReadCarrier();
        if (carrier == _carrier)
        {
            return;
        }

        _carrier = carrier;
        _carrierChanges++;
        Evaluate();
        Context.Parent.Tell(Status());
    }

    /// <summary>OVS bond_link_status_update: start, keep or cancel the up/down delay, or switch at once for a zero delay.</summary>
    private void Evaluate()
    {
        var up = Up;
        if (up == _enabled)
        {
            CancelDelay();
            return;
        }

        if (_delayKind is not null)
        {
            return;
        }

        var delay = up ? _bond.UpDelay : _bond.DownDelay;
        if (delay <= TimeSpan.Zero)
        {
            SetEnabled(up);
            return;
        }

        _delayKind = up ? "updelay" : "downdelay";
        _delayDueMs = NowMs + (long)delay.TotalMilliseconds;
        Timers.StartSingleTimer(DelayTimer, DelayExpired.Instance, delay);
        Context.Parent.Tell(Status());
    }

    private void OnDelayExpired()
    {
        _delayKind = null;
        _delayDueMs = 0;
        SetEnabled(Up);
    }

    private void OnSkipUpdelay()
    {
        if (_delayKind == "updelay" && Up)
        {
            CancelDelay();
            SetEnabled(true);
        }
    }

    private void CancelDelay()
    {
        if (_delayKind is not null)
        {
            Timers.Cancel(DelayTimer);
            _delayKind = null;
            _delayDueMs = 0;
        }
    }

    private void SetEnabled(bool enabled)
    {
        var changed = enabled != _enabled;
        _enabled = enabled;
        if (changed)
        {
            Context.Parent.Tell(Status());
        }
    }

    private void OnConfigure(Configure m)
    {
        if (m.MayEnable != _mayEnable)
        {
            _mayEnable = m.MayEnable;
            Evaluate();
            Context.Parent.Tell(Status());
        }

        if (m.LacpTransmitInterval != _tx)
        {
            _tx = m.LacpTransmitInterval;
            if (_tx > TimeSpan.Zero)
            {
                Timers.StartPeriodicTimer(TxTimer, TxTick.Instance, TimeSpan.Zero, _tx);
            }
            else
            {
                Timers.Cancel(TxTimer);
            }
        }

        if (m.LacpReceiveTimeout != _rx)
        {
            _rx = m.LacpReceiveTimeout;
            ArmRx();
        }
    }

    private void ArmRx()
    {
        if (_rx > TimeSpan.Zero)
        {
            Timers.StartPeriodicTimer(RxTimer, RxTick.Instance, _rx);
        }
        else
        {
            Timers.Cancel(RxTimer);
        }
    }

    private MemberStatus Status() => new(_member.Name, _carrier, _enabled, _delayKind, _delayDueMs, _carrierChanges);

    private sealed class Poll
    {
        public static readonly Poll Instance = new();
    }

    private sealed class DelayExpired
    {
        public static readonly DelayExpired Instance = new();
    }

    private sealed class TxTick
    {
        public static readonly TxTick Instance = new();
    }

    private sealed class RxTick
    {
        public static readonly RxTick Instance = new();
    }
}
