using Hyperion;

namespace Fabric.Host.Node;

/// <summary>
/// Hyperion's allow-list for messages between nodes: only the given types (Fabric's
/// <see cref="Fabric.Actors.Cluster.IClusterMessage"/> types) are serialized or deserialized; anything else a peer
/// names is refused with Hyperion's <c>UserEvilDeserializationException</c>. Compares by type name and assembly name,
/// because Hyperion asks with the full assembly-qualified name when it serializes and with the short one (no version)
/// when it reads a manifest.
/// </summary>
public sealed class ClusterMessageFilter : ITypeFilter
{
    private readonly HashSet<string> _allowed;

    /// <summary>Creates a filter that allows exactly <paramref name="allowed"/>.</summary>
    public ClusterMessageFilter(IEnumerable<Type> allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        _allowed = allowed.Select(t => ShortName(t.AssemblyQualifiedName ?? t.FullName ?? t.Name)).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The allowed types' names, "Namespace.Type, Assembly".</summary>
    public IReadOnlyCollection<string> Allowed => _allowed;

    /// <inheritdoc />
    public bool IsAllowed(string typeName) => typeName is not null && _allowed.Contains(ShortName(typeName));

    /// <summary>"Namespace.Type, Assembly" from an assembly-qualified name with or without version, culture and key.</summary>
    private static string ShortName(string name)
    {
        var first = name.IndexOf(',', StringComparison.Ordinal);
        if (first < 0)
        {
            return name.Trim();
        }

        var second = name.IndexOf(',', first + 1);
        return (second < 0 ? name : name[..second]).Replace(" ", "", StringComparison.Ordinal);
    }
}
