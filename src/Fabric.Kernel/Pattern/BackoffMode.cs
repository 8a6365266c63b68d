namespace Fabric.Kernel.Pattern;

/// <summary>When a <see cref="BackoffSupervisor"/> restarts its child.</summary>
public enum BackoffMode
{
    /// <summary>When the child stops (for any reason); failures are handled by the supervisor strategy as usual.</summary>
    OnStop,

    /// <summary>When the child fails with an exception the strategy would restart; a child that stops by itself stops the supervisor too.</summary>
    OnFailure,
}
