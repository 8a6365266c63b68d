namespace Fabric.Kernel.TestKit.Persistence;

/// <summary>Injectable behaviour of <see cref="InMemorySnapshotStore"/> saves and loads.</summary>
public enum SnapshotBehavior
{
    /// <summary>Works normally.</summary>
    Pass,

    /// <summary>Throws <see cref="TestSnapshotStoreFailureException"/>.</summary>
    Fail,
}
