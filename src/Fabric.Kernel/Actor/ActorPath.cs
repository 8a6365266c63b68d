using System.Text;

namespace Fabric.Kernel.Actor;

/// <summary>
/// An actor's location in its system's tree, e.g. <c>akka://sys/user/a/b</c> (actor-semantics §2.4). Equality and ordering
/// ignore <see cref="Uid"/>; the serialization form appends <c>#uid</c>.
/// </summary>
public sealed class ActorPath : IEquatable<ActorPath>, IComparable<ActorPath>
{
    private const string ValidSymbols = "\"-_.*$+:@&=,!~';()";
    private readonly string[] _elements;

    private ActorPath(string address, ActorPath? parent, string name, long uid, string[] elements)
    {
        Address = address;
        Parent = parent;
        Name = name;
        Uid = uid;
        _elements = elements;
    }

    /// <summary>The system address, e.g. <c>akka://sys</c>.</summary>
    public string Address { get; }

    /// <summary>The parent path, or <see langword="null"/> for the root (<c>/</c>).</summary>
    public ActorPath? Parent { get; }

    /// <summary>The last element (the actor's name); <c>/</c> for the root.</summary>
    public string Name { get; }

    /// <summary>The incarnation id: random and non-zero for actors, 0 for paths that do not name an incarnation.</summary>
    public long Uid { get; }

    /// <summary>The elements below the root, e.g. <c>["user", "a", "b"]</c>.</summary>
    public IReadOnlyList<string> Elements => _elements;

    /// <summary>The root path of the system <paramref name="systemName"/>.</summary>
    /// <param name="systemName">The actor system's name.</param>
    /// <returns>The path <c>akka://systemName/</c>.</returns>
    public static ActorPath CreateRoot(string systemName) => new("akka://" + systemName, null, "/", 0, []);

    /// <summary>The child path <paramref name="name"/> below <paramref name="path"/> (uid 0).</summary>
    /// <param name="path">The parent path.</param>
    /// <param name="name">The child's name.</param>
    /// <returns>The child path.</returns>
    public static ActorPath operator /(ActorPath path, string name) => path.Child(name);

    /// <summary>The child path <paramref name="name"/> below this one (uid 0).</summary>
    /// <param name="name">The child's name.</param>
    /// <returns>The child path.</returns>
    public ActorPath Child(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new ActorPath(Address, this, name, 0, [.. _elements, name]);
    }

    /// <summary>This path with incarnation id <paramref name="uid"/>.</summary>
    /// <param name="uid">The incarnation id.</param>
    /// <returns>A path equal to this one carrying <paramref name="uid"/>.</returns>
    public ActorPath WithUid(long uid) => uid == Uid ? this : new ActorPath(Address, Parent, Name, uid, _elements);

    /// <summary>
    /// Whether <paramref name="element"/> is a legal path element: non-empty, ASCII letters/digits, the symbols
    /// <c>"-_.*$+:@&amp;=,!~';()</c> and <c>%XX</c> escapes (Akka.NET <c>ActorPath.IsValidPathElement</c>).
    /// </summary>
    /// <param name="element">The candidate name.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool IsValidPathElement(string? element)
    {
        if (string.IsNullOrEmpty(element))
        {
            return false;
        }

        for (var i = 0; i < element.Length; i++)
        {
            var c = element[i];
            if (char.IsAsciiLetterOrDigit(c) || ValidSymbols.Contains(c))
            {
                continue;
            }

            if (c == '%' && i + 2 < element.Length && char.IsAsciiHexDigit(element[i + 1]) && char.IsAsciiHexDigit(element[i + 2]))
            {
                i += 2;
                continue;
            }

            return false;
        }

        return true;
    }

    /// <summary>The path without address, e.g. <c>/user/a</c> (<c>/</c> for the root).</summary>
    /// <returns>The address-less path string.</returns>
    public string ToStringWithoutAddress() => _elements.Length == 0 ? "/" : "/" + string.Join('/', _elements);

    /// <summary>The full path with <c>#uid</c> appended when the uid is set, e.g. <c>akka://sys/user/a#42</c>.</summary>
    /// <returns>The serialization form.</returns>
    public string ToSerializationFormat() => Uid == 0 ? ToString() : ToString() + "#" + Uid.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The full path, e.g. <c>akka://sys/user/a</c>.</summary>
    /// <returns>The path string.</returns>
    public override string ToString()
    {
        var sb = new StringBuilder(Address);
        sb.Append(ToStringWithoutAddress());
        return sb.ToString();
    }

    /// <inheritdoc/>
    public bool Equals(ActorPath? other) =>
        other is not null && Address == other.Address && _elements.AsSpan().SequenceEqual(other._elements);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ActorPath other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Address);
        foreach (var e in _elements)
        {
            hash.Add(e);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public int CompareTo(ActorPath? other) =>
        other is null ? 1 : string.CompareOrdinal(ToString(), other.ToString());
}
