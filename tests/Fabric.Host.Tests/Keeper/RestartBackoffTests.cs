using Fabric.Host.Keeper;
using Xunit;

namespace Fabric.Host.Tests.Keeper;

/// <summary>The keeper's restart delay and how it names a node's death.</summary>
public sealed class RestartBackoffTests
{
    [Fact]
    public void Quick_crashes_in_a_row_double_the_wait_up_to_30_s_and_a_node_that_forwarded_1_s_clears_it()
    {
        var backoff = new RestartBackoff();

        // A node that forwarded long enough: at once, however often.
        Assert.Equal(TimeSpan.Zero, backoff.Next(TimeSpan.FromSeconds(5)));
        Assert.Equal(TimeSpan.Zero, backoff.Next(TimeSpan.FromSeconds(1)));

        // Died sooner, or before it forwarded at all: 0.25, 0.5, 1, … s, never more than 30 s.
        var waits = Enumerable.Range(0, 10).Select(i => backoff.Next(i % 2 == 0 ? null : TimeSpan.FromMilliseconds(900)).TotalSeconds).ToList();
        Assert.Equal([0.25, 0.5, 1, 2, 4, 8, 16, 30, 30, 30], waits);
        Assert.Equal(10, backoff.QuickCrashes);

        Assert.Equal(TimeSpan.Zero, backoff.Next(TimeSpan.FromSeconds(2)));
        Assert.Equal(0, backoff.QuickCrashes);
        Assert.Equal(TimeSpan.FromMilliseconds(250), backoff.Next(null));
    }

    [Theory]
    [InlineData(137, "killed by signal 9 (SIGKILL)")]
    [InlineData(134, "killed by signal 6 (SIGABRT)")]
    [InlineData(143, "killed by signal 15 (SIGTERM)")]
    [InlineData(2, "exited with code 2")]
    [InlineData(0, "exited with code 0")]
    public void A_death_is_named_by_its_signal_or_exit_code(int code, string expected) =>
        Assert.Equal(expected, NodeKeeper.Death(code));
}
