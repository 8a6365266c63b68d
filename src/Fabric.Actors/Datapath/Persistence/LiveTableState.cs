namespace Fabric.Actors.Datapath.Persistence;

/// <summary>
/// What outlives the datapath actor's incarnations inside one process, next to the live megaflow table:
/// whether the table has already been restored from the journal. The first incarnation restores the table;
/// later ones (after a crash or a journal failure) leave the live table alone and bring the journal up to
/// date with it instead.
/// </summary>
public sealed class LiveTableState
{
    /// <summary>True once an incarnation finished recovering into the live table.</summary>
    public bool Restored { get; set; }
}
