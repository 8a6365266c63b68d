using BenchmarkDotNet.Running;

namespace Fabric.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project bench/Fabric.Benchmarks -- --filter '*'</c>;
/// <c>-- flowsetup [N [JOURNAL]]</c> runs <see cref="FlowSetupBenchmarks.RunStandalone"/> instead (N operations per case;
/// JOURNAL <c>sqlite</c> or <c>memory</c> runs only that journal's cases, for a profiler).
/// </summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected on the command line.</summary>
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "flowsetup")
        {
            var iterations = 20;
            if (args.Length > 1 && (!int.TryParse(args[1], System.Globalization.CultureInfo.InvariantCulture, out iterations) || iterations < 1))
            {
                Console.Error.WriteLine($"flowsetup: N '{args[1]}': expected a whole number of operations, at least 1");
                Environment.ExitCode = 2;
                return;
            }

            var journal = args.Length > 2 ? args[2] : null;
            if (journal is not null && !FlowSetupBenchmarks.JournalNames.Contains(journal))
            {
                Console.Error.WriteLine($"flowsetup: JOURNAL '{journal}': expected {string.Join(" or ", FlowSetupBenchmarks.JournalNames)}");
                Environment.ExitCode = 2;
                return;
            }

            FlowSetupBenchmarks.RunStandalone(iterations, Console.Out, journal);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
