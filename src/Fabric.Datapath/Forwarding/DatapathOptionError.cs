namespace Fabric.Datapath.Forwarding;

/// <summary>The first setting of a <see cref="DatapathOptions"/> that the datapath cannot run with, and why.</summary>
/// <param name="Option">The property's name, e.g. <c>nameof(DatapathOptions.EmcEntries)</c>.</param>
/// <param name="Reason">What is wrong with its value, in one line, e.g. "100 is not a power of two in 2..1048576".</param>
public sealed record DatapathOptionError(string Option, string Reason);
