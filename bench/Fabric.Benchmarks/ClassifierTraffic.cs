namespace Fabric.Benchmarks;

/// <summary>How <see cref="ClassifierBenchmarks"/> spreads its packets over the masks.</summary>
public enum ClassifierTraffic
{
    /// <summary>Every megaflow equally likely, so every mask equally hit (ranking cannot help).</summary>
    Uniform,

    /// <summary>Mask of rank r hit with weight 1 / (r + 1) (Zipf, s = 1); megaflows uniform within a mask.</summary>
    Skewed,
}
