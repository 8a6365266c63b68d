using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fabric.Host.Control;

/// <summary>
/// Source-generated System.Text.Json metadata for the control protocol (no reflection): camelCase
/// member names (<c>command</c>, <c>args</c>, <c>status</c>, <c>output</c>), compact single-line output.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = false,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlReply))]
public sealed partial class ControlJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context used on the wire: like <see cref="JsonSerializerContext"/>'s default instance but
    /// with relaxed escaping, so that reply text stays readable when the socket is inspected by hand
    /// (control characters, including newlines, are still escaped, so every message stays one line).
    /// </summary>
    public static ControlJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
