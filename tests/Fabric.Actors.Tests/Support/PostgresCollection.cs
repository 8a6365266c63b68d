namespace Fabric.Actors.Tests.Support;

/// <summary>Test classes sharing one throwaway PostgreSQL cluster; they run one after another (outage tests stop it).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
