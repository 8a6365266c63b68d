using Fabric.Integration.Tests.Lab;

namespace Fabric.Integration.Tests.Restart;

/// <summary>A node whose datapath journal is PostgreSQL (the clustered setup) restarts warm like one on SQLite.</summary>
public sealed class PostgresJournalRestartTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [RootFact]
    public async Task Exit_then_start_restores_the_megaflows_from_a_postgresql_journal()
    {
        var config = $"  persistence.plugin = postgresql\n  persistence.postgresql.connection-string = \"{postgres.ConnectionString}\"\n";
        await using var lab = await SwitchLab.StartAsync([(false, null), (false, null)], config, asProcess: true);
        var (h1, h2) = (lab.Hosts[0], lab.Hosts[1]);

        // A freshly started process compiles its slow path on the first upcalls: probe until a ping gets through.
        Assert.True(await SwitchLab.WaitUntil(() => SwitchLab.Ping(h1, h2.Ip, count: 1) == 0, TimeSpan.FromSeconds(20)), "no ping got through a fresh node");
        Assert.Equal(0, SwitchLab.Ping(h1, h2.Ip, count: 5));
        var show = (await lab.Ctl("persistence/show")).Output;
        Assert.Contains("journal        : postgresql://postgres@127.0.0.1:", show);

        var before = (await lab.Ctl("dpctl/dump-flows")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l[..l.IndexOf(", packets:", StringComparison.Ordinal)]).Order().ToList();
        Assert.NotEmpty(before);
        Assert.Equal(0, (await lab.Ctl("exit")).Status);
        Assert.True(await lab.Process!.WaitForExitAsync(TimeSpan.FromSeconds(30)), "fabric did not exit");
        await lab.RestartAsync();

        var after = (await lab.Ctl("dpctl/dump-flows")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l[..l.IndexOf(", packets:", StringComparison.Ordinal)]).Order().ToList();
        Assert.Equal(before, after);
        Assert.Contains($"recovery       : (flows {before.Count})", (await lab.Ctl("persistence/show")).Output);
        Assert.Equal(0, SwitchLab.Ping(h1, h2.Ip, count: 5));
    }
}
