namespace Fabric.Actors.Diagnostics;

/// <summary>
/// Fault injection (<c>fabric ctl debug/crash ACTOR-PATH</c>, tests): every Fabric actor that receives it throws
/// <see cref="InjectedFailureException"/>, and its supervisor applies its directive. Only sent when the node's
/// config enables fault injection.
/// </summary>
/// <param name="Why">Text carried by the exception.</param>
public sealed record InjectFault(string Why);
