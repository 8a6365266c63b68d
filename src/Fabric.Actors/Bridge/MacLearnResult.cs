namespace Fabric.Actors.Bridge;

/// <summary>What <see cref="MacLearningTable.Learn"/> did with a source address.</summary>
public enum MacLearnResult
{
    /// <summary>Nothing: multicast source, or refreshed less than 1 s ago on the same port.</summary>
    Unchanged,

    /// <summary>An existing entry on the same port had its expiry pushed back.</summary>
    Refreshed,

    /// <summary>A new entry was created (megaflows that flooded to this address are now stale).</summary>
    Learned,

    /// <summary>The address moved to another port (megaflows that used the old port are now stale).</summary>
    Moved,
}
