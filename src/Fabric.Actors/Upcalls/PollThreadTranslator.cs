using Fabric.Actors.Bridge;
using Fabric.Actors.Normal;
using Fabric.Datapath.Forwarding;

namespace Fabric.Actors.Upcalls;

/// <summary>
/// NORMAL run for one bridge on the poll thread that missed, so that a new flow's first packet leaves with no thread
/// hop (OVS netdev: a PMD thread translates and executes its own misses, dp_netdev_upcall, and so no slower than a
/// hit plus the translation). The translation is pure (<see cref="NormalTranslator"/> against the bridge's published
/// MAC table); what changes state stays with the actors: the upcall still goes to its shard with the result, and the
/// shard sends the learning to the bridge and the install to the datapath actor, without executing the packet again.
/// </summary>
/// <remarks>
/// Used only while the shard keeps up (<see cref="ShardInbox.MayExecuteAhead"/>: few upcalls wait, none with its packet
/// still to send, so no packet overtakes an earlier one of its flow); under a burst of misses the shards translate. A
/// source this thread sent to be learned is remembered for a moment (<see cref="ProvisionalMacs"/>): a reply to it that
/// arrives before the bridge has published it is forwarded, not flooded, as after OVS's inline learning; sources on bonds
/// and gratuitous ARPs, whose learning the bridge may refuse, are not remembered. Whether a source is learned is always
/// decided against the published table. LACPDUs are left to the shard (the bond takes them), and so is a source that
/// moved from another port: its packet is sent only once the bridge has learned the move and deleted the megaflows that
/// still lead to the old port, or the reply to it would follow one of them.
/// </remarks>
public sealed class PollThreadTranslator
{
    [ThreadStatic]
    private static ProvisionalMacs? t_provisional;

    private readonly NormalTranslator _translator;
    private readonly PublishedMacTable _macs;

    /// <summary>Translates for the bridge whose ports <paramref name="translator"/> knows and whose table <paramref name="macs"/> publishes.</summary>
    public PollThreadTranslator(NormalTranslator translator, PublishedMacTable macs)
    {
        ArgumentNullException.ThrowIfNull(translator);
        ArgumentNullException.ThrowIfNull(macs);
        _translator = translator;
        _macs = macs;
        ProvisionalMacs.Prepare();
    }

    /// <summary>
    /// Translates <paramref name="upcall"/> on the calling poll thread: the upcall for the shard, marked executed (the
    /// caller executes its actions now), or null when the shard must handle it (an LACPDU, or a source that moved).
    /// </summary>
    public ShardUpcall? Translate(Upcall upcall)
    {
        ArgumentNullException.ThrowIfNull(upcall);
        var key = upcall.Key;
        var view = _macs.Current;
        var result = _translator.Translate(key, view);
        if (result.IsLacp || (result.LearnOfPort >= 0 && view.Lookup(result.Vlan, key.DlSrc) is not null))
        {
            // A moved source: megaflows still send its replies to the old port until the bridge has learned the move and
            // deleted them, so the packet waits for that (learn before execute), as every LACPDU waits for its bond.
            return null;
        }

        if (result.Vlan >= 0 && view.Lookup(result.Vlan, key.DlDst) is null && t_provisional is { Count: > 0 } provisional
            && provisional.Lookup(view.Epoch, result.Vlan, key.DlDst, upcall.ReceivedMs) is int port)
        {
            // An unknown destination that this thread has just sent to be learned: forwarded as the bridge will once it has
            // learned it. Learning the source stays as the published table decides (the bridge's table, not this thread's).
            var provisionalView = view with { Ports = view.Ports.SetItem((result.Vlan, key.DlDst), port) };
            result = _translator.Translate(key, provisionalView) with { LearnOfPort = result.LearnOfPort };
        }

        return new ShardUpcall(upcall, result, view);
    }

    /// <summary>
    /// <paramref name="posted"/> (from <see cref="Translate"/>) is in its shard's inbox: a source it asks to learn is
    /// remembered for this thread's next translations (<see cref="ProvisionalMacs"/>).
    /// </summary>
    public void Posted(ShardUpcall posted)
    {
        ArgumentNullException.ThrowIfNull(posted);
        // LearnOfPort is -1 for multicast sources, so only unicast ones are remembered.
        if (posted is not { Xlate: { LearnOfPort: >= 0, IsGratuitousArp: false } x, View: { } view }
            || _translator.PortByDp(posted.Upcall.InPort) is not { Bond: null })
        {
            return;
        }

        (t_provisional ??= new ProvisionalMacs()).Add(view.Epoch, x.Vlan, posted.Upcall.Key.DlSrc, x.LearnOfPort, posted.Upcall.ReceivedMs);
    }
}
