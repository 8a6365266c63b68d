namespace Fabric.Kernel.Actor.Internal;

/// <summary>
/// INTERNAL API. Typed message handlers registered while an actor is being built (its constructor, or a
/// <c>Become</c> configuration), matched in registration order — the first handler whose type fits and which accepts
/// the message wins (Akka.NET <c>ReceiveActor</c> semantics). Used for <see cref="ReceiveActor"/>'s handlers and for a
/// persistent actor's command and recover handlers.
/// </summary>
internal sealed class HandlerList
{
    private readonly string _registrationRule;
    private List<Handler>? _building = [];
    private Handler[] _initial = [];

    /// <summary>Creates an open list.</summary>
    /// <param name="registrationRule">Message of the <see cref="InvalidOperationException"/> thrown by a registration outside the allowed places.</param>
    public HandlerList(string registrationRule)
    {
        _registrationRule = registrationRule;
    }

    /// <summary>Registers a handler for messages of <paramref name="type"/>; <paramref name="invoke"/> returns false to pass the message on.</summary>
    /// <exception cref="InvalidOperationException">The list is sealed and no <see cref="Build"/> configuration is running.</exception>
    public void Add(Type type, Func<object, bool> invoke)
    {
        if (_building is null)
        {
            throw new InvalidOperationException(_registrationRule);
        }

        _building.Add(new Handler(type, invoke));
    }

    /// <summary>Ends construction: the handlers registered so far become the initial behavior.</summary>
    public void Seal()
    {
        _initial = [.. _building!];
        _building = null;
    }

    /// <summary>Offers <paramref name="message"/> to the initial behavior; true when a handler took it.</summary>
    public bool Match(object message) => Match(_initial, message);

    /// <summary>Runs <paramref name="configure"/>, collecting the handlers it registers into a new behavior.</summary>
    public Receive Build(Action configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var previous = _building;
        _building = [];
        try
        {
            configure();
            var handlers = _building.ToArray();
            return m => Match(handlers, m);
        }
        finally
        {
            _building = previous;
        }
    }

    private static bool Match(Handler[] handlers, object message)
    {
        foreach (var h in handlers)
        {
            if (h.Type.IsInstanceOfType(message) && h.Invoke(message))
            {
                return true;
            }
        }

        return false;
    }

    private sealed record Handler(Type Type, Func<object, bool> Invoke);
}
