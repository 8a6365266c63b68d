using Fabric.Actors.Tests.Support;

namespace Fabric.Actors.Tests.Datapath;

/// <summary>The journal scenarios on Akka.Persistence.Sql with PostgreSQL (a throwaway server on 127.0.0.1 started by the fixture).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresJournalScenarios(PostgresFixture postgres) : DatapathJournalScenarios
{
    private static int s_next;

    /// <inheritdoc />
    protected override ScenarioStore NewStore() =>
        ScenarioStore.PostgreSql(postgres.Server.CreateDatabaseAsync($"scenario{Interlocked.Increment(ref s_next)}").Result);
}
