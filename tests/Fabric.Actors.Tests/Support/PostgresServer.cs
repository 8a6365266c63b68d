using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Fabric.Actors.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL cluster on 127.0.0.1 and a random free port (dependencies.md "Throwaway PostgreSQL on loopback"):
/// initdb as user postgres into a temp dir, pg_ctl start with fsync off and the unix socket in the temp dir. Installs the
/// postgresql package when no initdb is found (tests run as root). Dispose stops it and removes the directory.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _dataDir;
    private bool _disposed;

    private PostgresServer(string bin, string dataDir, int port)
    {
        _bin = bin;
        _dataDir = dataDir;
        Port = port;
    }

    public int Port { get; }

    public string DataDir => _dataDir;

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=5;Command Timeout=30";

    public static async Task<PostgresServer> StartNewAsync()
    {
        string bin = await FindOrInstallBinAsync();
        string dataDir = Directory.CreateTempSubdirectory("fabric-pg-").FullName;
        var server = new PostgresServer(bin, dataDir, FreePort());
        try
        {
            await RunAsync("chown", ["postgres:postgres", dataDir]);
            await RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(bin, "initdb"), "-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public Task StartAsync() =>
        RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", _dataDir, "-l", Path.Combine(_dataDir, "server.log"), "-w", "-t", "30",
            "-o", $"-c listen_addresses=127.0.0.1 -p {Port} -c unix_socket_directories={_dataDir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start"]);

    public Task StopAsync() =>
        RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", _dataDir, "-m", "fast", "-w", "-t", "30", "stop"]);

    /// <summary>A connection string outside any pool, for test helpers (pooled connections die with every outage test).</summary>
    public string UnpooledConnectionString(string database) => ConnectionString(database) + ";Pooling=false";

    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(UnpooledConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\"; CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(_dataDir, "postmaster.pid")))
        {
            try
            {
                await RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", _dataDir, "-m", "immediate", "-w", "-t", "30", "stop"]);
            }
            catch (InvalidOperationException)
            {
                // Already stopped: nothing left to stop.
            }
        }

        Directory.Delete(_dataDir, recursive: true);
    }

    private static async Task<string> FindOrInstallBinAsync()
    {
        string? bin = FindBin();
        if (bin is null)
        {
            await RunAsync("apt-get", ["update", "-qq"]);
            await RunAsync("apt-get", ["install", "-y", "-qq", "postgresql"], ("DEBIAN_FRONTEND", "noninteractive"));
            bin = FindBin() ?? throw new InvalidOperationException("postgresql installed but no /usr/lib/postgresql/*/bin/initdb found");
        }

        return bin;
    }

    private static string? FindBin()
    {
        if (!Directory.Exists("/usr/lib/postgresql"))
        {
            return null;
        }

        return Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb")))
            .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out int v) ? v : 0)
            .LastOrDefault();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, string[] args, params (string Name, string Value)[] environment)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}{await stdout}");
        }
    }
}
