namespace Fabric.Host.Control;

/// <summary>
/// A command registered in a <see cref="ControlCommandRegistry"/>: the equivalent of one
/// <c>unixctl_command_register</c> entry in OVS (name, usage string, argument-count limits, callback),
/// plus a one-line summary that <c>help</c> prints.
/// </summary>
/// <param name="Name">The command name, e.g. <c>fdb/show</c>; no whitespace.</param>
/// <param name="ArgsSyntax">The argument syntax shown by <c>list-commands</c>, e.g. <c>[BRIDGE]</c>; empty for none.</param>
/// <param name="Summary">One sentence saying what the command does.</param>
/// <param name="MinArgs">The fewest arguments accepted (≥ 0).</param>
/// <param name="MaxArgs">The most arguments accepted (≥ <paramref name="MinArgs"/>; <see cref="int.MaxValue"/> for no limit).</param>
/// <param name="Handler">The callback that runs the command.</param>
public sealed record ControlCommand(
    string Name,
    string ArgsSyntax,
    string Summary,
    int MinArgs,
    int MaxArgs,
    ControlCommandHandler Handler)
{
    /// <summary>The usage line: the name followed by the argument syntax, e.g. <c>fdb/show [BRIDGE]</c>.</summary>
    public string Usage => ArgsSyntax.Length == 0 ? Name : Name + " " + ArgsSyntax;
}
