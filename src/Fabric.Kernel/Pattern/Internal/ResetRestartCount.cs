namespace Fabric.Kernel.Pattern.Internal;

/// <summary>INTERNAL API. The auto-reset timer fired: reset the count if no restart happened since <paramref name="Current"/>.</summary>
internal sealed record ResetRestartCount(int Current);
