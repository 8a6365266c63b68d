namespace Fabric.Kernel.Actor;

/// <summary>What a supervisor does with a failed child (actor-semantics §4).</summary>
public enum Directive
{
    /// <summary>Keep the child's state, drop the failing message, continue.</summary>
    Resume,

    /// <summary>Replace the child's instance (same ref and mailbox), drop the failing message.</summary>
    Restart,

    /// <summary>Stop the child; watchers receive <see cref="Terminated"/>.</summary>
    Stop,

    /// <summary>Fail the supervisor itself with the same exception, so the grandparent decides.</summary>
    Escalate,
}
