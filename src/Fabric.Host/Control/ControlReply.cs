using System.Text.Json.Serialization;

namespace Fabric.Host.Control;

/// <summary>
/// The answer to one <see cref="ControlRequest"/>: a single UTF-8 JSON line
/// <c>{"status":0,"output":"..."}</c>. <see cref="Status"/> is <see cref="StatusOk"/> (0) when the
/// command succeeded and <see cref="Output"/> is its text (usually newline-terminated, printed as is);
/// it is <see cref="StatusError"/> (2) when it failed and <see cref="Output"/> is a one-line error
/// message, like the error member of an ovs-appctl (unixctl) reply.
/// </summary>
/// <param name="Status">0 for success, 2 for an error; <c>fabric ctl</c> uses it as its exit code.</param>
/// <param name="Output">The command's output text, or the one-line error message.</param>
public sealed record ControlReply(int Status, string Output)
{
    /// <summary>The status of a successful command (exit code 0).</summary>
    public const int StatusOk = 0;

    /// <summary>The status of a failed command (exit code 2, like ovs-appctl's failure exit).</summary>
    public const int StatusError = 2;

    /// <summary>True when <see cref="Status"/> is <see cref="StatusOk"/>; not part of the wire format.</summary>
    [JsonIgnore]
    public bool IsOk => Status == StatusOk;

    /// <summary>Creates a successful reply carrying <paramref name="output"/> (null becomes the empty string).</summary>
    /// <param name="output">The text to print, normally ending with a newline.</param>
    /// <returns>A reply with status 0.</returns>
    public static ControlReply Ok(string output) => new(StatusOk, output ?? string.Empty);

    /// <summary>
    /// Creates an error reply. The message is forced onto one line: line breaks (and the spaces
    /// around them) are replaced by single spaces, and surrounding whitespace is trimmed.
    /// </summary>
    /// <param name="message">What went wrong, e.g. <c>no bridge named br9</c>.</param>
    /// <returns>A reply with status 2.</returns>
    public static ControlReply Error(string message) => new(StatusError, OneLine(message));

    private static string OneLine(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return "unknown error";
        }

        if (message.AsSpan().IndexOfAny('\r', '\n') < 0)
        {
            return message.Trim();
        }

        string[] parts = message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(' ', parts);
    }
}
