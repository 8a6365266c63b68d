namespace Fabric.Kernel.Scheduling;

/// <summary>The standard <see cref="ICancelable"/>, backed by a <see cref="CancellationTokenSource"/>.</summary>
public sealed class Cancelable : ICancelable, IDisposable
{
    private readonly CancellationTokenSource _source = new();

    /// <inheritdoc/>
    public bool IsCancellationRequested => _source.IsCancellationRequested;

    /// <inheritdoc/>
    public CancellationToken Token => _source.Token;

    /// <inheritdoc/>
    public void Cancel()
    {
        try
        {
            _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already disposed means already finished; cancelling is idempotent.
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _source.Dispose();
}
