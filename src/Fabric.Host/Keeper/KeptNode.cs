using System.Diagnostics;
using System.Runtime.InteropServices;
using Fabric.Host.Node;
using Fabric.Host.Node.Handover;

namespace Fabric.Host.Keeper;

/// <summary>One node process a keeper started (its child): the node, a restart's successor, or a node on its way out.</summary>
internal sealed class KeptNode
{
    private const int SigTerm = 15;

    public KeptNode(Process process, FabricCommand command, bool takesOver)
    {
        Process = process;
        Pid = process.Id;
        Command = command;
        TakesOver = takesOver;
    }

    /// <summary>The process.</summary>
    public Process Process { get; }

    /// <summary>Its pid.</summary>
    public int Pid { get; }

    /// <summary>How it was started, without <c>--takeover</c> and <c>--keeper-socket</c>: how to start it again after a crash.</summary>
    public FabricCommand Command { get; }

    /// <summary>True when it was started to take the keeper's descriptors over (<c>--takeover</c> the keeper's socket).</summary>
    public bool TakesOver { get; }

    /// <summary>When it deposited its descriptors, i.e. started forwarding (a <see cref="Stopwatch"/> timestamp); null before.</summary>
    public long? ForwardingSince { get; set; }

    /// <summary>It said <c>exit</c>: its exit is a clean <c>fabric ctl exit</c>, and the keeper ends with it.</summary>
    public bool ExitAnnounced { get; set; }

    /// <summary>For a restart's successor: the connection of the node that asked for it, told when it exits.</summary>
    public HandoverChannel? SpawnChannel { get; set; }

    /// <summary>How long it has been forwarding at <paramref name="now"/>; null when it never did.</summary>
    public TimeSpan? ForwardedFor(long now) => ForwardingSince is { } since ? Stopwatch.GetElapsedTime(since, now) : null;

    /// <summary>Sends SIGTERM (a graceful stop: the node saves a snapshot and exits).</summary>
    public void Terminate() => _ = Kill(Pid, SigTerm);

    // DllImport: a blittable signature needs no marshalling code (and this project no unsafe code).
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
