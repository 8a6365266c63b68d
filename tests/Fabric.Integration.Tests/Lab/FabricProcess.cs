namespace Fabric.Integration.Tests.Lab;

/// <summary>Runs the real <c>fabric</c> executable (fabric.dll beside the tests) as a child process.</summary>
public static class FabricProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "fabric.dll");

    /// <summary>The dotnet host running the tests (so the same runtime runs the fabric).</summary>
    public static string Dotnet => Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";

    /// <summary>Runs <c>fabric ARGS</c> to completion.</summary>
    public static Shell.Result Run(params string[] args) => Shell.RunWithTimeout(TimeSpan.FromSeconds(60), Dotnet, [Dll, .. args]);
}
