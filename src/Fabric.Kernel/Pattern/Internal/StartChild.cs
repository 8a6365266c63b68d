namespace Fabric.Kernel.Pattern.Internal;

/// <summary>INTERNAL API. The backoff timer fired: start the child again.</summary>
internal sealed class StartChild
{
    private StartChild()
    {
    }

    public static StartChild Instance { get; } = new();
}
