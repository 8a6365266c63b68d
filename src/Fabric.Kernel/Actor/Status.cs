namespace Fabric.Kernel.Actor;

/// <summary>Conventional reply wrappers (Akka.NET <c>Status</c>); <see cref="Failure"/> faults an <c>Ask</c> task.</summary>
public static class Status
{
    /// <summary>A successful outcome.</summary>
    /// <param name="Status">Optional result payload.</param>
    public sealed record Success(object? Status);

    /// <summary>A failed outcome; an <c>Ask</c> awaiting it faults with <see cref="Cause"/>.</summary>
    /// <param name="Cause">The failure.</param>
    public sealed record Failure(Exception Cause);
}
