using System.Runtime.InteropServices;
using Fabric.Actors.Bridge;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;

namespace Fabric.Actors.Normal;

/// <summary>
/// The NORMAL action: L2 learning switch with VLANs, following OVS's <c>xlate_normal</c> order
/// (ovs-facts §2.2): un-wildcard MACs and VLAN, find the input port, check and assign the VLAN
/// (§2.3), drop reserved multicast, learn the source, then forward to the learned port or flood to
/// every other port carrying the VLAN, translating the tag per output port.
/// </summary>
/// <remarks>
/// Pure: it reads an immutable version of the MAC table and reports what learning the source would do
/// (<see cref="XlateResult.LearnOfPort"/>) instead of learning itself; the bridge actor, the table's single
/// writer, learns. Upcalls and revalidation translate the same way. Runs on the slow path only.
/// </remarks>
public sealed class NormalTranslator
{
    private const ushort EthTypeIpv4 = 0x0800;
    private const ushort EthTypeIpv6 = 0x86dd;
    private const ushort VlanCfi = 0x1000;

    private readonly Dictionary<ushort, BridgePort> _byDpPort = new();
    private readonly Dictionary<int, BridgePort> _byOfPort = new();
    private readonly BridgePort[] _floodOrder;

    /// <summary>Creates a translator for one bridge's port configuration.</summary>
    /// <exception cref="ArgumentException">Two ports share an OpenFlow or datapath port number.</exception>
    public NormalTranslator(BridgeSettings settings)
    {
        foreach (var p in settings.Ports)
        {
            if (!_byDpPort.TryAdd(p.DpPort, p) || !_byOfPort.TryAdd(p.OfPort, p))
            {
                throw new ArgumentException($"bridge {settings.Name}: port {p.Name} reuses a port number", nameof(settings));
            }
        }

        _floodOrder = settings.Ports.OrderBy(p => p.OfPort).ToArray();
    }

    /// <summary>The port with datapath number <paramref name="dpPort"/>, or null.</summary>
    public BridgePort? PortByDp(ushort dpPort) => _byDpPort.GetValueOrDefault(dpPort);

    /// <summary>The port with OpenFlow number <paramref name="ofPort"/>, or null.</summary>
    public BridgePort? PortByOf(int ofPort) => _byOfPort.GetValueOrDefault(ofPort);

    /// <summary>True when <paramref name="dpPort"/> belongs to this bridge.</summary>
    public bool Owns(ushort dpPort) => _byDpPort.ContainsKey(dpPort);

    /// <summary>Translates <paramref name="key"/> through NORMAL.</summary>
    /// <param name="key">The flow (unmasked on upcalls; a masked megaflow key on revalidation — NORMAL only reads fields its mask keeps).</param>
    /// <param name="macs">The MAC learning table version to forward by.</param>
    public XlateResult Translate(in FlowKey key, MacTableView macs)
    {
        ArgumentNullException.ThrowIfNull(macs);
        var wc = default(FlowWildcards);
        wc.UnwildcardInPort();
        wc.UnwildcardDlType();
        wc.UnwildcardDlSrc();
        wc.UnwildcardDlDst();
        wc.UnwildcardVlanTci();
        if (key.DlType is EthTypeIpv4 or EthTypeIpv6)
        {
            wc.UnwildcardNwFrag();
        }

        if (!_byDpPort.TryGetValue(key.InPort, out var inPort))
        {
            return Drop(ref wc, -1, -1, "no input bundle, dropping");
        }

        var tagged = key.HasVlan;
        var vlanOrNull = inPort.InputVlan(tagged, key.VlanVid);
        if (vlanOrNull is not int vlan)
        {
            return Drop(ref wc, -1, -1, "disallowed VLAN VID for this input port, dropping");
        }

        if (IsReserved(key.DlDst))
        {
            return Drop(ref wc, vlan, -1, "packet has reserved destination MAC, dropping");
        }

        var learned = !MacLearningTable.IsMulticast(key.DlSrc) && macs.Lookup(vlan, key.DlSrc) != inPort.OfPort ? inPort.OfPort : -1;

        var outputs = new List<DatapathAction>(8);
        var state = new TagState(tagged, key.VlanTci);
        var pcp = tagged ? (ushort)(key.VlanTci & 0xe000) : (ushort)0;
        var dst = macs.Lookup(vlan, key.DlDst);
        string reason;
        if (dst is int outOf && _byOfPort.TryGetValue(outOf, out var outPort))
        {
            if (outPort.OfPort == inPort.OfPort)
            {
                return Drop(ref wc, vlan, learned, "learned port is input port, dropping");
            }

            if (!outPort.Carries(vlan))
            {
                return Drop(ref wc, vlan, learned, "learned port does not carry the VLAN, dropping");
            }

            Emit(outputs, ref state, outPort, vlan, pcp);
            reason = "forwarding to learned port";
        }
        else
        {
            foreach (var p in _floodOrder)
            {
                if (p.OfPort != inPort.OfPort && p.Carries(vlan))
                {
                    Emit(outputs, ref state, p, vlan, pcp);
                }
            }

            reason = "no learned MAC for destination, flooding";
        }

        var actions = outputs.Count == 0 ? DatapathActions.Drop : DatapathActions.Create(CollectionsMarshal.AsSpan(outputs));
        return new XlateResult(actions, wc.ToMask(), vlan, learned, reason);
    }

    private static XlateResult Drop(ref FlowWildcards wc, int vlan, int learned, string reason) =>
        new(DatapathActions.Drop, wc.ToMask(), vlan, learned, reason);

    /// <summary>Appends the tag operations that make the frame right for <paramref name="port"/>, then the output.</summary>
    private static void Emit(List<DatapathAction> actions, ref TagState state, BridgePort port, int vlan, ushort pcp)
    {
        if (port.EgressTagged(vlan))
        {
            var tci = (ushort)(VlanCfi | pcp | (vlan & 0x0fff));
            if (!state.Tagged)
            {
                actions.Add(DatapathAction.PushVlan(tci));
            }
            else if (state.Tci != tci)
            {
                actions.Add(DatapathAction.SetVlanTci(tci));
            }

            state = new TagState(true, tci);
        }
        else if (state.Tagged)
        {
            actions.Add(DatapathAction.PopVlan());
            state = new TagState(false, 0);
        }

        actions.Add(DatapathAction.Output(port.DpPort));
    }

    /// <summary>IEEE 802.1D reserved group addresses 01:80:c2:00:00:00–0f (never forwarded by default, ovs-facts §1.8).</summary>
    private static bool IsReserved(ulong mac) => (mac & ~0xfUL) == 0x0180_c200_0000UL;

    private readonly record struct TagState(bool Tagged, ushort Tci);
}
