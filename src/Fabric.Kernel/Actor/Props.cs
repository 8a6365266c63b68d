using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.ExceptionServices;

namespace Fabric.Kernel.Actor;

/// <summary>
/// An immutable, reusable recipe for an actor (Akka.NET <c>Props</c>). The factory is invoked again on every restart, so
/// each incarnation gets a fresh instance.
/// </summary>
public sealed class Props
{
    private readonly Func<ActorBase> _factory;

    private Props(Type type, Func<ActorBase> factory, SupervisorStrategy? supervisorStrategy)
    {
        Type = type;
        _factory = factory;
        SupervisorStrategy = supervisorStrategy;
    }

    /// <summary>The actor class.</summary>
    public Type Type { get; }

    /// <summary>The strategy the actor uses for its children, overriding its <c>SupervisorStrategy()</c>; <see langword="null"/> = the actor's own.</summary>
    public SupervisorStrategy? SupervisorStrategy { get; }

    /// <summary>Props for <typeparamref name="T"/> built with its parameterless constructor.</summary>
    /// <typeparam name="T">The actor class.</typeparam>
    /// <returns>The props.</returns>
    public static Props Create<T>()
        where T : ActorBase, new() => new(typeof(T), static () => new T(), null);

    /// <summary>
    /// Props from a <c>() =&gt; new T(args)</c> expression; the expression (including its captured arguments) is evaluated
    /// again for every incarnation.
    /// </summary>
    /// <typeparam name="T">The actor class.</typeparam>
    /// <param name="factory">A <c>new</c> expression.</param>
    /// <returns>The props.</returns>
    /// <exception cref="ArgumentException">The expression body is not a <c>new</c> expression.</exception>
    public static Props Create<T>(Expression<Func<T>> factory)
        where T : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (factory.Body is not NewExpression newExpression)
        {
            throw new ArgumentException("The Props factory must be a 'new' expression, e.g. () => new MyActor(a, b).", nameof(factory));
        }

        var compiled = factory.Compile();
        return new Props(newExpression.Type, () => compiled(), null);
    }

    /// <summary>Props for <paramref name="type"/> built with the constructor matching <paramref name="args"/>.</summary>
    /// <param name="type">A concrete <see cref="ActorBase"/> subclass.</param>
    /// <param name="args">Constructor arguments.</param>
    /// <returns>The props.</returns>
    /// <exception cref="ArgumentException"><paramref name="type"/> is not a concrete actor class.</exception>
    public static Props Create(Type type, params object[] args)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (!typeof(ActorBase).IsAssignableFrom(type) || type.IsAbstract)
        {
            throw new ArgumentException($"[{type.FullName}] is not a concrete subclass of ActorBase.", nameof(type));
        }

        var arguments = args ?? [];
        return new Props(type, () =>
        {
            try
            {
                return (ActorBase)Activator.CreateInstance(type, arguments)!;
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }, null);
    }

    /// <summary>A copy whose actor supervises its children with <paramref name="strategy"/>.</summary>
    /// <param name="strategy">The strategy.</param>
    /// <returns>The new props.</returns>
    public Props WithSupervisorStrategy(SupervisorStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        return new Props(Type, _factory, strategy);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Props({Type.Name})";

    internal ActorBase NewActor() => _factory();
}
