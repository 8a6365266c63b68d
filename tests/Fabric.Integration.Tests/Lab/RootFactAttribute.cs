namespace Fabric.Integration.Tests.Lab;

/// <summary>A fact that needs root (network namespaces, veth, TAP); skipped with a reason otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Shell.IsRoot)
        {
            Skip = "needs root: creates network namespaces, veth pairs and TAP devices";
        }
    }
}
