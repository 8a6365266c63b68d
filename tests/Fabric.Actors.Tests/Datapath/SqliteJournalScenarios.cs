using Fabric.Actors.Tests.Support;

namespace Fabric.Actors.Tests.Datapath;

/// <summary>The journal scenarios on Akka.Persistence.Sql with a SQLite file (the node's default store).</summary>
public sealed class SqliteJournalScenarios : DatapathJournalScenarios
{
    /// <inheritdoc />
    protected override ScenarioStore NewStore() => ScenarioStore.Sqlite();
}
