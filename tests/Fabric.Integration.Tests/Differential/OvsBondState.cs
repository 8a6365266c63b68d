using System.Globalization;
using System.Text.RegularExpressions;

namespace Fabric.Integration.Tests.Differential;

/// <summary>
/// What <c>ovs-appctl bond/show BOND</c> says about a bond: LACP status, recirculation id, active member and each
/// member's enabled / may_enable state. The Fabric side is given the same member states (as its bond actor would
/// publish them for the same link and LACP situation), so that only the forwarding logic is compared.
/// </summary>
/// <param name="LacpStatus">"off", "configured" or "negotiated".</param>
/// <param name="RecircId">The bond's recirculation id (what a balance-tcp output's <c>recirc(0x…)</c> names), -1 when none.</param>
/// <param name="ActiveMember">The active member's name, null when there is none.</param>
/// <param name="Members">Member name → (enabled, may_enable).</param>
/// <param name="Text">The bond/show output.</param>
public sealed partial record OvsBondState(string LacpStatus, int RecircId, string? ActiveMember, IReadOnlyDictionary<string, (bool Enabled, bool MayEnable)> Members, string Text)
{
    /// <summary>True when LACP is negotiated.</summary>
    public bool Negotiated => LacpStatus == "negotiated";

    /// <summary>Parses bond/show output (OVS 3.1 layout).</summary>
    /// <exception cref="FormatException">No <c>lacp_status:</c> line or no member.</exception>
    public static OvsBondState Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lacp = LacpStatusRegex().Match(text);
        if (!lacp.Success)
        {
            throw new FormatException($"no lacp_status in bond/show:\n{text}");
        }

        var recirc = RecircRegex().Match(text);
        var members = new Dictionary<string, (bool, bool)>(StringComparer.Ordinal);
        string? active = null;
        string? current = null;
        bool enabled = false, mayEnable = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd();
            var m = MemberRegex().Match(line);
            if (m.Success)
            {
                Flush();
                current = m.Groups[1].Value;
                enabled = m.Groups[2].Value == "enabled";
                mayEnable = false;
            }
            else if (current is not null && line.Trim() == "active member")
            {
                active = current;
            }
            else if (current is not null && line.Trim().StartsWith("may_enable:", StringComparison.Ordinal))
            {
                mayEnable = line.Trim().EndsWith("true", StringComparison.Ordinal);
            }
        }

        Flush();
        if (members.Count == 0)
        {
            throw new FormatException($"no member in bond/show:\n{text}");
        }

        return new OvsBondState(
            lacp.Groups[1].Value,
            recirc.Success ? int.Parse(recirc.Groups[1].Value, CultureInfo.InvariantCulture) : -1,
            active,
            members,
            text);

        void Flush()
        {
            if (current is not null)
            {
                members[current] = (enabled, mayEnable);
            }
        }
    }

    [GeneratedRegex(@"^lacp_status: (\S+)", RegexOptions.Multiline)]
    private static partial Regex LacpStatusRegex();

    [GeneratedRegex(@"Recirc-ID : (-?\d+)")]
    private static partial Regex RecircRegex();

    [GeneratedRegex(@"^member (\S+): (enabled|disabled)")]
    private static partial Regex MemberRegex();
}
