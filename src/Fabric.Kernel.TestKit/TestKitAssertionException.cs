namespace Fabric.Kernel.TestKit;

/// <summary>A TestKit expectation failed (timeout, wrong message, unexpected message); test frameworks report it as a failure.</summary>
/// <param name="message">What was expected and what happened.</param>
public sealed class TestKitAssertionException(string message) : Exception(message);
