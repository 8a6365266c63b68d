using BenchmarkDotNet.Running;

namespace Fabric.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project bench/Fabric.Benchmarks -- --filter '*'</c>; <c>-- flowsetup [N]</c>
/// runs <see cref="FlowSetupBenchmarks.RunStandalone"/> instead.
/// </summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected on the command line.</summary>
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "flowsetup")
        {
            FlowSetupBenchmarks.RunStandalone(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20, Console.Out);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
