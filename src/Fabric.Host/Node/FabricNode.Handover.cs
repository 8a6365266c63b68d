using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using Akka.Actor;
using Fabric.Actors.Datapath;
using Fabric.Datapath.Ports;
using Fabric.Host.Node.Handover;
using Microsoft.Extensions.Logging;

namespace Fabric.Host.Node;

/// <summary>The predecessor's side of a restart without packet loss (<c>fabric ctl restart [--exec PATH]</c>).</summary>
public sealed partial class FabricNode
{
    private static readonly TimeSpan HandoverStepTimeout = TimeSpan.FromSeconds(120);
    private bool _handedOver;

    /// <summary>How this process started: fresh, warm from the journal, taken over from a running node, or restarted by its keeper.</summary>
    public StartReport Start { get; private set; } = StartReport.Opened(0);

    /// <summary>
    /// Hands this node over to a successor process and returns once the successor forwards (then this process should
    /// exit) or the hand-over failed (then this process goes on forwarding, nothing lost):
    /// <list type="number">
    /// <item>start <paramref name="command"/> <c>--takeover SOCKET</c> (through the keeper, which then watches it, when this
    /// node runs under one: <see cref="Keeper"/>) and wait for it to connect;</item>
    /// <item>journal everything, save a snapshot and stop journaling (<see cref="DatapathProtocol.HandOver"/>);</item>
    /// <item>send every port's descriptor (SCM_RIGHTS): the kernel goes on queuing their frames whoever reads;</item>
    /// <item>when the successor has restored its table (<c>ready</c>), stop the poll threads, release the control
    /// socket's path (<paramref name="releaseControlSocket"/>) and say <c>stopped</c>: from then on only the successor reads.</item>
    /// </list>
    /// </summary>
    /// <param name="command">The successor: this build or another (an upgrade), with its arguments before <c>--takeover</c>
    /// (e.g. <c>run --config FILE</c>).</param>
    /// <param name="releaseControlSocket">Stops accepting control connections and frees the socket path for the successor.</param>
    public async Task<HandoverResult> HandOverAsync(FabricCommand command, Action releaseControlSocket)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(releaseControlSocket);
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(Settings.StateDir);
        var path = Path.Combine(Settings.StateDir, $"takeover-{Environment.ProcessId}.sock");
        File.Delete(path);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        ISuccessor successor;
        try
        {
            successor = await StartSuccessorAsync(command, path).ConfigureAwait(false);
        }
        catch (Exception e) when (e is global::System.ComponentModel.Win32Exception or InvalidOperationException or IOException or SocketException)
        {
            File.Delete(path);
            return new HandoverResult(false, $"restart: cannot start {command.File}: {e.Message}", 0, clock.Elapsed);
        }

        using (successor)
        {
            try
            {
                return await HandOverToAsync(successor, listener, clock, releaseControlSocket).ConfigureAwait(false);
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>
    /// Starts the successor: through the keeper when this node has one (the keeper is then its parent and watches it),
    /// or here. A keeper that has died meanwhile leaves it to this node; a keeper that refuses makes the restart fail,
    /// since it would otherwise restart this node's ports behind a successor it does not know.
    /// </summary>
    private async Task<ISuccessor> StartSuccessorAsync(FabricCommand command, string path)
    {
        if (Keeper is { } keeper)
        {
            try
            {
                return await keeper.SpawnAsync(command, path).ConfigureAwait(false);
            }
            catch (IOException e) when (!Directory.Exists($"/proc/{keeper.KeeperPid}"))
            {
                _log.LogWarning("restart: keeper pid {Keeper} is gone ({Error}); the successor is started here and no keeper watches it", keeper.KeeperPid, e.Message);
            }
        }

        return LocalSuccessor.Start(command.With("--takeover", path));
    }

    /// <summary>
    /// The descriptors a successor or a keeper takes: every AF_PACKET and TAP port and VXLAN endpoint that has one, with
    /// its name and kind in the same order. The ports keep owning them.
    /// </summary>
    internal (List<HandedOverPort> Ports, int[] Fds) PortDescriptors()
    {
        var ports = new List<HandedOverPort>();
        var fds = new List<int>();
        foreach (var (_, port) in Datapath.Ports)
        {
            if ((port.Kind is PortKind.AfPacket or PortKind.Tap || port is Fabric.Datapath.Ports.Vxlan.VxlanEndpoint) && port.PollFd >= 0)
            {
                ports.Add(new HandedOverPort(port.Name, port.Kind switch { PortKind.Tap => "tap", PortKind.Vxlan => "vxlan", _ => "afpacket" }));
                fds.Add(port.PollFd);
            }
        }

        return (ports, fds.ToArray());
    }

    private async Task<HandoverResult> HandOverToAsync(ISuccessor successor, Socket listener, Stopwatch clock, Action releaseControlSocket)
    {
        var pid = successor.Id;
        HandoverResult Fail(string why)
        {
            if (!successor.HasExited)
            {
                successor.Kill();
            }

            _log.LogWarning("restart: the successor (pid {Pid}) did not take over: {Why}; this node goes on forwarding", pid, why);
            return new HandoverResult(false, $"restart: {why}; the running node (pid {Environment.ProcessId}) goes on forwarding", pid, clock.Elapsed);
        }

        using var step = new CancellationTokenSource(HandoverStepTimeout);
        var accept = listener.AcceptAsync(step.Token).AsTask();
        var exited = successor.WaitForExitAsync(step.Token);
        if (await Task.WhenAny(accept, exited).ConfigureAwait(false) != accept || !accept.IsCompletedSuccessfully)
        {
            return Fail(successor.HasExited ? $"the successor exited with code {successor.ExitCode} before connecting" : "the successor did not connect");
        }

        using var channel = new HandoverChannel(await accept.ConfigureAwait(false));
        var hello = await channel.ReceiveAsync(step.Token).ConfigureAwait(false);
        if (hello is null || !hello.StartsWith("hello ", StringComparison.Ordinal))
        {
            return Fail(Described(hello));
        }

        var handed = await DatapathActor.Ask<DatapathProtocol.HandedOver>(new DatapathProtocol.HandOver(), AskTimeout).ConfigureAwait(false);
        if (handed.Error is { } journalError)
        {
            return Fail($"the journal could not be handed over: {journalError}");
        }

        try
        {
            return await SwitchOverAsync(channel, successor, handed.SequenceNr, clock, releaseControlSocket, Fail, step.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The successor went away in the middle (its error, if any, is in its output): journal again, keep forwarding.
            if (!Datapath.IsRunning)
            {
                Datapath.Start();
            }

            DatapathActor.Tell(new DatapathProtocol.ResumeJournal());
            return Fail($"the hand-over broke off: {e.Message}");
        }
    }

    private async Task<HandoverResult> SwitchOverAsync(HandoverChannel channel, ISuccessor successor, long journalSequenceNr, Stopwatch clock, Action releaseControlSocket, Func<string, HandoverResult> fail, CancellationToken ct)
    {
        var pid = successor.Id;
        var (ports, fds) = PortDescriptors();
        channel.SendWithDescriptors("ports " + JsonSerializer.Serialize(new HandoverPorts(ports, journalSequenceNr, Environment.ProcessId, Tunnels: HandedOverTunnels())), fds);
        var ready = await ReceiveOrExitAsync(channel, successor, ct).ConfigureAwait(false);
        if (ready != "ready")
        {
            DatapathActor.Tell(new DatapathProtocol.ResumeJournal());
            return fail(Described(ready));
        }

        // The successor's table is restored: stop reading; frames wait in the kernel until it reads them (counted from
        // here by the sockets' statistics, which the successor reads when it starts).
        Datapath.Stop();
        foreach (var (_, port) in Datapath.Ports)
        {
            (port as AfPacketPort)?.TakeStatistics();
        }

        releaseControlSocket();
        await channel.SendAsync("stopped", ct).ConfigureAwait(false);
        var done = await ReceiveOrExitAsync(channel, successor, ct).ConfigureAwait(false);
        if (done is null || !done.StartsWith("forwarding", StringComparison.Ordinal))
        {
            // It died after this node stopped reading: read again (the control socket is gone; SIGTERM still stops it).
            Datapath.Start();
            DatapathActor.Tell(new DatapathProtocol.ResumeJournal());
            return fail(Described(done) + " after the hand-over (this node forwards again, without its control socket)");
        }

        _handedOver = true;
        var text = $"restarted: pid {pid} took over from pid {Environment.ProcessId} in {clock.Elapsed.TotalMilliseconds:F0} ms ({done["forwarding".Length..].Trim()})";
        _log.LogInformation("{Text}", text);
        return new HandoverResult(true, text, pid, clock.Elapsed);
    }

    private static async Task<string?> ReceiveOrExitAsync(HandoverChannel channel, ISuccessor successor, CancellationToken ct)
    {
        var receive = channel.ReceiveAsync(ct);
        var exited = successor.WaitForExitAsync(ct);
        await Task.WhenAny(receive, exited).ConfigureAwait(false);
        if (receive.IsCompletedSuccessfully && await receive.ConfigureAwait(false) is { } message)
        {
            return message;
        }

        // The connection closed: most likely the successor died; say how, if it has exited by now.
        await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None)).ConfigureAwait(false);

        return successor.HasExited ? $"exit {successor.ExitCode}" : null;
    }

    private static string Described(string? message) => message switch
    {
        null => "the successor closed the connection",
        _ when message.StartsWith("error ", StringComparison.Ordinal) => "the successor failed: " + message["error ".Length..],
        _ when message.StartsWith("exit ", StringComparison.Ordinal) => $"the successor exited with code {message["exit ".Length..]}",
        _ => $"the successor said '{message}'",
    };
}
