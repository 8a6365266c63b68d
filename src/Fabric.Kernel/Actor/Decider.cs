namespace Fabric.Kernel.Actor;

/// <summary>Builds supervisor deciders (Akka.NET <c>Decider</c>).</summary>
public static class Decider
{
    /// <summary>
    /// A decider that tests <paramref name="pairs"/> <em>in order</em> with "is instance of" (list subclasses first) and falls
    /// back to <paramref name="defaultDirective"/> (actor-semantics §4).
    /// </summary>
    /// <param name="defaultDirective">Directive when no pair matches.</param>
    /// <param name="pairs">Exception type → directive entries.</param>
    /// <returns>The decider function.</returns>
    public static Func<Exception, Directive> From(Directive defaultDirective, params KeyValuePair<Type, Directive>[] pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var table = pairs.ToArray();
        return cause =>
        {
            foreach (var (type, directive) in table)
            {
                if (type.IsInstanceOfType(cause))
                {
                    return directive;
                }
            }

            return defaultDirective;
        };
    }
}
