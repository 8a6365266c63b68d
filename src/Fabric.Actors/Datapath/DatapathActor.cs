using Fabric.Kernel.Actor;
using Fabric.Datapath.Megaflows;
using static Fabric.Actors.Datapath.DatapathProtocol;
using DatapathEngine = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Actors.Datapath;

/// <summary>
/// The single owner of forwarding state: it alone installs, modifies and deletes megaflows and numbers
/// ports (DESIGN.md). The fast-path object it drives is created outside the actor and handed in through
/// <see cref="Props"/>, so a restart of this actor (or of any other control actor) never clears the
/// live tables the poll threads read; its supervisor should resume it on failure.
/// </summary>
public sealed class DatapathActor : ReceiveActor
{
    private readonly DatapathEngine _datapath;
    private long _installed;
    private long _deleted;
    private long _limitRefused;

    /// <summary>Creates the actor around an existing datapath.</summary>
    public DatapathActor(DatapathEngine datapath)
    {
        _datapath = datapath;
        Receive<InstallFlow>(Install);
        Receive<ModifyFlow>(m => _datapath.Flows.ModifyActions(m.Flow, m.Actions));
        Receive<DeleteFlows>(Delete);
        Receive<DeleteFlowsWhere>(m => Reply(_datapath.Flows.RemoveWhere(m.Predicate)));
        Receive<DeleteAllFlows>(_ =>
        {
            var n = _datapath.Flows.Count;
            _datapath.Flows.Clear();
            Reply(n);
        });
        Receive<AddPort>(AddPortHandler);
        Receive<GetCounters>(_ => Sender.Tell(new DatapathCounters(_installed, _deleted, _limitRefused), Self));
    }

    /// <summary>Props for a datapath actor around <paramref name="datapath"/>.</summary>
    public static Props Props(DatapathEngine datapath) => Fabric.Kernel.Actor.Props.Create(() => new DatapathActor(datapath));

    private void Install(InstallFlow m)
    {
        var flows = _datapath.Flows;
        if (flows.Count >= flows.FlowLimit)
        {
            // OVS: at the flow limit the packet is still handled but no flow is installed (ovs-facts §3.3).
            _limitRefused++;
            return;
        }

        flows.Install(m.Key, m.Mask, m.Actions, m.Owner);
        _installed++;
    }

    private void Delete(DeleteFlows m)
    {
        var n = 0;
        foreach (var f in m.Flows)
        {
            if (_datapath.Flows.Remove(f))
            {
                n++;
            }
        }

        Reply(n);
    }

    private void Reply(int deleted)
    {
        _deleted += deleted;
        if (!Sender.Equals(Context.System.DeadLetters))
        {
            Sender.Tell(new FlowsDeleted(deleted), Self);
        }
    }

    private void AddPortHandler(AddPort m)
    {
        try
        {
            var no = _datapath.AddPort(m.Port, m.RequestedPortNo);
            Sender.Tell(new PortAdded(m.Port.Name, no), Self);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            Sender.Tell(new Status.Failure(e), Self);
        }
    }
}
