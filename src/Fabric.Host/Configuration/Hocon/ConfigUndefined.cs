namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// INTERNAL API. The result of resolving an optional substitution that found nothing: a field holding
/// it is not created and an array element holding it is dropped.
/// </summary>
internal sealed class ConfigUndefined : ConfigValue
{
    private ConfigUndefined()
        : base(ConfigOrigin.None)
    {
    }

    /// <summary>The single undefined marker.</summary>
    public static ConfigUndefined Instance { get; } = new();
}
