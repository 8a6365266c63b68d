namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// The HOCON <c>null</c> value. A <c>null</c> between two object definitions of the same key cuts the
/// merge (the later object does not see the earlier one), and <see cref="ConfigDocument.HasPath"/> reports a
/// path holding <c>null</c> as absent, as the HOCON spec's <c>hasPath</c> does.
/// </summary>
public sealed class ConfigNull : ConfigValue
{
    /// <summary>Creates a null defined at <paramref name="origin"/>.</summary>
    /// <param name="origin">Where it was defined.</param>
    internal ConfigNull(ConfigOrigin origin)
        : base(origin)
    {
    }
}
