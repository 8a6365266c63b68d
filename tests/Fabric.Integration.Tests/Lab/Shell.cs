using System.Diagnostics;

namespace Fabric.Integration.Tests.Lab;

/// <summary>Runs lab commands (ip, ping, iperf3, ethtool) and returns their output.</summary>
public static class Shell
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string All => Stdout + Stderr;
    }

    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/>; never throws on a non-zero exit.</summary>
    public static Result Run(string file, params string[] args) => RunWithTimeout(TimeSpan.FromSeconds(60), file, args);

    public static Result RunWithTimeout(TimeSpan timeout, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }

        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs a command and throws with its output when it fails (lab setup steps).</summary>
    public static string Must(string file, params string[] args)
    {
        var r = Run(file, args);
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({r.ExitCode}): {r.All.Trim()}");
        }

        return r.Stdout;
    }

    /// <summary>Runs a command inside network namespace <paramref name="ns"/>.</summary>
    public static Result InNs(string ns, string file, params string[] args) => Run("ip", ["netns", "exec", ns, file, .. args]);

    public static bool IsRoot => Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root" || GetUid() == 0;

    public static bool Has(string tool) => Run("sh", "-c", $"command -v {tool}").ExitCode == 0;

    private static int GetUid()
    {
        try
        {
            var status = File.ReadAllLines("/proc/self/status");
            var line = status.FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            return line is null ? -1 : int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
