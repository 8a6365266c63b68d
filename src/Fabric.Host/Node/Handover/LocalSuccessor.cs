using System.Diagnostics;

namespace Fabric.Host.Node.Handover;

/// <summary>A successor this process started itself (a node without a keeper): its child, watched through <see cref="Process"/>.</summary>
internal sealed class LocalSuccessor : ISuccessor
{
    private readonly Process _process;

    private LocalSuccessor(Process process)
    {
        _process = process;
    }

    /// <inheritdoc />
    public int Id => _process.Id;

    /// <inheritdoc />
    public bool HasExited => _process.HasExited;

    /// <inheritdoc />
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <paramref name="command"/>.</summary>
    /// <exception cref="InvalidOperationException">It could not be started.</exception>
    /// <exception cref="System.ComponentModel.Win32Exception">The executable could not be run.</exception>
    public static LocalSuccessor Start(FabricCommand command) =>
        new(Process.Start(command.StartInfo()) ?? throw new InvalidOperationException($"cannot start {command.File}"));

    /// <inheritdoc />
    public Task WaitForExitAsync(CancellationToken ct) => _process.WaitForExitAsync(ct);

    /// <inheritdoc />
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _process.Dispose();
}
