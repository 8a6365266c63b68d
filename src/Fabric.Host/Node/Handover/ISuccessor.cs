namespace Fabric.Host.Node.Handover;

/// <summary>
/// The successor process of a restart as its predecessor watches it: started by the predecessor itself
/// (<see cref="LocalSuccessor"/>) or, for a node under a keeper, by the keeper on the node's request
/// (<see cref="Fabric.Host.Keeper.KeptSuccessor"/>), which is then its parent and reports its exit.
/// </summary>
internal interface ISuccessor : IDisposable
{
    /// <summary>Its process id.</summary>
    int Id { get; }

    /// <summary>True once it has exited (as far as this process has heard).</summary>
    bool HasExited { get; }

    /// <summary>Its exit code (128 + N when signal N killed it); meaningful once <see cref="HasExited"/>.</summary>
    int ExitCode { get; }

    /// <summary>Completes when it has exited.</summary>
    Task WaitForExitAsync(CancellationToken ct);

    /// <summary>Kills it (SIGKILL); nothing when it is gone already.</summary>
    void Kill();
}
