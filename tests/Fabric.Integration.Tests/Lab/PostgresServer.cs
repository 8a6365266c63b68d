using System.Text.RegularExpressions;

namespace Fabric.Integration.Tests.Lab;

/// <summary>
/// A throwaway PostgreSQL cluster on 127.0.0.1 and a random port, started with tests/pg/pg-start.sh (which installs
/// Debian's postgresql when missing) and removed with pg-stop.sh when disposed. xunit class fixture.
/// </summary>
public sealed partial class PostgresServer : IDisposable
{
    private readonly string _dataDir = "";

    public PostgresServer()
    {
        if (!Shell.IsRoot)
        {
            return;
        }

        var port = Random.Shared.Next(40000, 60000);
        var r = Shell.RunWithTimeout(TimeSpan.FromMinutes(5), "bash", Path.Combine(RepoRoot, "tests", "pg", "pg-start.sh"), port.ToString());
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg-start.sh failed: {r.All}");
        }

        _dataDir = DataDirRegex().Match(r.Stdout).Groups[1].Value;
        ConnectionString = ConnectionRegex().Match(r.Stdout).Groups[1].Value;
    }

    /// <summary>Npgsql connection string of the cluster's "fabric" database.</summary>
    public string ConnectionString { get; } = "";

    /// <summary>The repository root (the folder holding Fabric.sln), found from the test binaries upwards.</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Fabric.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("Fabric.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public void Dispose()
    {
        if (_dataDir.Length > 0)
        {
            Shell.Run("bash", Path.Combine(RepoRoot, "tests", "pg", "pg-stop.sh"), _dataDir);
        }
    }

    [GeneratedRegex(@"PGDATA_FABRIC=(\S+)")]
    private static partial Regex DataDirRegex();

    [GeneratedRegex(@"FABRIC_BENCH_PG='([^']+)'")]
    private static partial Regex ConnectionRegex();
}
