namespace Fabric.Kernel.Persistence;

/// <summary>
/// One journal row (Akka.Persistence's <c>IPersistentRepresentation</c>, stored as the columns of
/// Akka.Persistence.Sql's <c>journal</c> table): an already serialized event.
/// </summary>
/// <param name="PersistenceId">Owner of the event stream (≤ 255 characters).</param>
/// <param name="SequenceNr">Position in that stream, 1-based, strictly increasing.</param>
/// <param name="Manifest">Payload type and schema version, e.g. "fabric.dp.FlowInstalled.v1" (≤ 500 characters).</param>
/// <param name="Payload">Serialized event bytes.</param>
/// <param name="Timestamp">Write time, UTC <see cref="DateTime.Ticks"/> (the <c>created</c> column).</param>
/// <param name="Tags">Tags (may be empty).</param>
/// <param name="WriterUuid">Identifies the writing actor incarnation (the <c>writer_uuid</c> column).</param>
public sealed record PersistentRepr(string PersistenceId, long SequenceNr, string Manifest, ReadOnlyMemory<byte> Payload, long Timestamp, IReadOnlyList<string> Tags, string WriterUuid);
