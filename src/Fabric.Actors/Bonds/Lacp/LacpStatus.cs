namespace Fabric.Actors.Bonds.Lacp;

/// <summary>
/// LACP status of a bond (OVS <c>lib/lacp.h</c> <c>enum lacp_status</c>, <c>lacp_status_description</c>), shown by
/// <c>bond/show</c> as <c>lacp_status:</c>. Use <see cref="LacpStatusExtensions.ToOvsString"/> for the text.
/// </summary>
public enum LacpStatus
{
    /// <summary>"off": LACP is not enabled on the port (OVS <c>LACP_DISABLED</c>).</summary>
    Off,

    /// <summary>"configured": LACP is enabled but no member could become the lead (not negotiated).</summary>
    Configured,

    /// <summary>"negotiated": at least one member is attached as, or alongside, a lead.</summary>
    Negotiated,
}

/// <summary>Text forms of <see cref="LacpStatus"/> as OVS prints them (<c>lib/lacp.c:lacp_status_description</c>).</summary>
public static class LacpStatusExtensions
{
    /// <summary>Returns <c>"off"</c>, <c>"configured"</c> or <c>"negotiated"</c>.</summary>
    public static string ToOvsString(this LacpStatus status) => status switch
    {
        LacpStatus.Negotiated => "negotiated",
        LacpStatus.Configured => "configured",
        LacpStatus.Off => "off",
        _ => "<unknown>",
    };
}
