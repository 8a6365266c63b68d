namespace Fabric.Kernel.Scheduling;

/// <summary>A handle that cancels scheduled work (Akka.NET <c>ICancelable</c>); cancelling does not abort a running action.</summary>
public interface ICancelable
{
    /// <summary>Cancels; idempotent.</summary>
    void Cancel();

    /// <summary>Whether <see cref="Cancel"/> was called.</summary>
    bool IsCancellationRequested { get; }

    /// <summary>A token cancelled together with this handle.</summary>
    CancellationToken Token { get; }
}
