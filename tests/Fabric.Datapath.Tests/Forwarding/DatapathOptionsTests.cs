using Fabric.Datapath.Forwarding;
using Xunit;
using Dp = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Datapath.Tests.Forwarding;

public sealed class DatapathOptionsTests
{
    public static TheoryData<Action<DatapathOptions>, string, string> Invalid => new()
    {
        { o => o.PollThreads = 0, nameof(DatapathOptions.PollThreads), "0 is outside 1..64" },
        { o => o.PollThreads = 65, nameof(DatapathOptions.PollThreads), "65 is outside 1..64" },
        { o => o.BatchSize = 0, nameof(DatapathOptions.BatchSize), "0 is outside 1..1024" },
        { o => o.BatchSize = 1025, nameof(DatapathOptions.BatchSize), "1025 is outside 1..1024" },
        { o => o.EmcEntries = 100, nameof(DatapathOptions.EmcEntries), "100 is not a power of two in 2..1048576" },
        { o => o.EmcEntries = 1, nameof(DatapathOptions.EmcEntries), "1 is not a power of two in 2..1048576" },
        { o => o.EmcEntries = 1 << 21, nameof(DatapathOptions.EmcEntries), "2097152 is not a power of two in 2..1048576" },
        { o => o.EmcInsertInvProb = -1, nameof(DatapathOptions.EmcInsertInvProb), "-1 is less than 0" },
        { o => o.FlowLimit = 0, nameof(DatapathOptions.FlowLimit), "0 is outside 1..10000000" },
        { o => o.UpcallQueueCapacity = (1 << 20) + 1, nameof(DatapathOptions.UpcallQueueCapacity), "1048577 is outside 1..1048576" },
        { o => o.PollTimeoutMs = 0, nameof(DatapathOptions.PollTimeoutMs), "0 ms is outside 1..1000 ms" },
        { o => o.SlotSize = 63, nameof(DatapathOptions.SlotSize), "63 is outside 64..66048" },
        { o => o.RerankIntervalMs = 0, nameof(DatapathOptions.RerankIntervalMs), "0 ms is less than 1 ms" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void A_bad_setting_is_named_with_its_reason_and_the_datapath_refuses_it(Action<DatapathOptions> change, string option, string reason)
    {
        var options = new DatapathOptions();
        change(options);

        Assert.Equal(new DatapathOptionError(option, reason), options.FindError());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Dp(options, TimeProvider.System));
        Assert.Equal(option, e.ParamName);
        Assert.StartsWith(reason, e.Message);
    }

    [Fact]
    public void Defaults_and_the_limits_themselves_are_valid()
    {
        Assert.Null(new DatapathOptions().FindError());
        Assert.Null(new DatapathOptions
        {
            PollThreads = DatapathOptions.MaxPollThreads,
            BatchSize = DatapathOptions.MaxBatchSize,
            EmcEntries = DatapathOptions.MaxEmcEntries,
            EmcInsertInvProb = 0,
            FlowLimit = DatapathOptions.MaxFlowLimit,
            UpcallQueueCapacity = DatapathOptions.MaxUpcallQueueCapacity,
            PollTimeoutMs = DatapathOptions.MaxPollTimeoutMs,
        }.FindError());
        Assert.Null(new DatapathOptions { EmcEntries = 2, PollTimeoutMs = 1, FlowLimit = 1, UpcallQueueCapacity = 1 }.FindError());
    }

    [Fact]
    public void The_first_bad_setting_in_declaration_order_is_reported()
    {
        Assert.Equal(nameof(DatapathOptions.BatchSize), new DatapathOptions { BatchSize = 0, EmcEntries = 3 }.FindError()?.Option);
    }
}
