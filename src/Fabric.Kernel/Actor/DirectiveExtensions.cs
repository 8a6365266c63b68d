namespace Fabric.Kernel.Actor;

/// <summary>Helpers to build <see cref="Decider.From(Directive, KeyValuePair{Type, Directive}[])"/> tables.</summary>
public static class DirectiveExtensions
{
    /// <summary>Pairs <paramref name="directive"/> with exception type <typeparamref name="TException"/>, e.g. <c>Directive.Stop.When&lt;IOException&gt;()</c>.</summary>
    /// <typeparam name="TException">The exception type (subclasses match too).</typeparam>
    /// <param name="directive">The directive to apply.</param>
    /// <returns>The table entry.</returns>
    public static KeyValuePair<Type, Directive> When<TException>(this Directive directive)
        where TException : Exception => new(typeof(TException), directive);
}
