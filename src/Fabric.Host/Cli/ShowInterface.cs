namespace Fabric.Host.Cli;

/// <summary>One interface of a bond port in <c>show</c> output.</summary>
/// <param name="Name">Interface name.</param>
/// <param name="DpPort">Its datapath port number.</param>
/// <param name="CarrierUp">Its link state.</param>
public sealed record ShowInterface(string Name, int DpPort, bool CarrierUp);
