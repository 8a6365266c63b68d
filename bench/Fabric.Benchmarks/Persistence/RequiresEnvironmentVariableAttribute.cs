using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Filters;

namespace Fabric.Benchmarks.Persistence;

/// <summary>Runs the benchmarks of a class only when an environment variable is set (e.g. a database connection string).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresEnvironmentVariableAttribute : FilterConfigBaseAttribute
{
    /// <summary>Filters out the class's benchmarks when <paramref name="name"/> is unset or empty.</summary>
    /// <param name="name">The environment variable.</param>
    public RequiresEnvironmentVariableAttribute(string name)
        : base(new SimpleFilter(_ => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name))))
    {
        Name = name;
    }

    /// <summary>The environment variable.</summary>
    public string Name { get; }
}
