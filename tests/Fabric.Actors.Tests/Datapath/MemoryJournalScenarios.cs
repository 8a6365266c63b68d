using Fabric.Actors.Tests.Support;

namespace Fabric.Actors.Tests.Datapath;

/// <summary>The journal scenarios on Akka.Persistence.TestKit's in-memory journal.</summary>
public sealed class MemoryJournalScenarios : DatapathJournalScenarios
{
    /// <inheritdoc />
    protected override ScenarioStore NewStore() => ScenarioStore.Memory();
}
