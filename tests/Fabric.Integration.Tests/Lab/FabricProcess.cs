namespace Fabric.Integration.Tests.Lab;

/// <summary>Runs the real <c>fabric</c> executable (fabric.dll beside the tests) as a child process.</summary>
public static class FabricProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "fabric.dll");

    /// <summary>Runs <c>fabric ARGS</c> to completion.</summary>
    public static Shell.Result Run(params string[] args) => Shell.RunWithTimeout(TimeSpan.FromSeconds(60), "dotnet", [Dll, .. args]);
}
