using System.Text;
using Meterai.Gateway.Admission;
using Meterai.Gateway.Capacity;
using Meterai.Gateway.Distributors;

namespace Meterai.Gateway.Tests.Purchases;

/// <summary>What a purchase tells a distributor's learned limit, and what a refusal at the queue is counted as (<see cref="OrchestratorRig"/>).</summary>
public sealed class PurchaseSignalsTests
{
    [Fact]
    public async Task HandleAsync_Answered_TheLimitLearnsTheTimeFromWrittenToHeadersRead()
    {
        RecordingLimiter? d1 = null;
        await using var rig = await OrchestratorRig.StartAsync(["d1"], limiter: ceiling => d1 = new RecordingLimiter(ceiling, limit: 2));

        // The ledger write before and the body read after are the gateway's time, not the distributor's.
        rig.Sender.Then(sent => Task.FromResult(
            AttemptResult.Answered(201, Encoding.UTF8.GetBytes(ScriptedSender.Issued(sent)), startedAt: 1_000, writtenAt: 21_000, headersAt: 71_000, endedAt: 90_000)));

        Assert.Equal(201, OrchestratorRig.StatusOf(await rig.BuyAsync("signals-key-1")));

        var sample = Assert.Single(d1!.Samples);
        Assert.Equal(CapacitySignal.Answered, sample.Signal);
        Assert.Equal(21_000, sample.SentAt);
        Assert.Equal(rig.Time.GetElapsedTime(21_000, 71_000), sample.Latency);
        Assert.Equal(1, sample.InFlight);
        Assert.False(sample.Demand);
    }

    [Fact]
    public async Task HandleAsync_AnotherPurchaseQueuedBehindTheOrder_TheLimitHearsOfTheDemand()
    {
        RecordingLimiter? d1 = null;
        await using var rig = await OrchestratorRig.StartAsync(["d1"], limiter: ceiling => d1 = new RecordingLimiter(ceiling, limit: 1));
        var firstOut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstAnswer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        rig.Sender
            .Then(async sent =>
            {
                firstOut.SetResult();
                await firstAnswer.Task;
                return ScriptedSender.Answer(201, ScriptedSender.Issued(sent));
            })
            .Then(sent => Task.FromResult(ScriptedSender.Answer(201, ScriptedSender.Issued(sent))));

        var first = rig.BuyAsync("demand-key-1");
        await firstOut.Task;
        var second = rig.BuyAsync("demand-key-2");
        await Eventually.TrueAsync(() => rig.Admission.Length == 1, "the second purchase to queue behind the first");
        Assert.True(d1!.TakeNotedDemand());

        firstAnswer.SetResult();
        Assert.Equal(201, OrchestratorRig.StatusOf(await first));
        Assert.Equal(201, OrchestratorRig.StatusOf(await second));
    }

    [Fact]
    public async Task HandleAsync_OrderSentWhileOthersQueue_ItsSampleCarriesDemand()
    {
        RecordingLimiter? d1 = null;
        await using var rig = await OrchestratorRig.StartAsync(["d1"], limiter: ceiling => d1 = new RecordingLimiter(ceiling, limit: 1));
        using var busy = SlotLease.TryTake(rig.Distributor("d1"), rig.Admission);
        rig.Sender.Then(sent => Task.FromResult(ScriptedSender.Answer(201, ScriptedSender.Issued(sent))));
        var buying = rig.BuyAsync("demand-key-3");
        await Eventually.TrueAsync(() => rig.Admission.Length == 1, "the purchase to queue for the slot");
        var waiting = rig.Admission.WaitForSlotAsync(CancellationToken.None);

        // The slot frees: the head waiter takes it and sends, while another still waits behind it.
        busy!.Dispose();
        Assert.Equal(201, OrchestratorRig.StatusOf(await buying));

        Assert.True(Assert.Single(d1!.Samples).Demand);
        (await waiting).Slot?.Dispose();
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    public async Task HandleAsync_QueueRefusesAtTheDoor_NotesDemandAndCountsItWithRoomWhenALimitCouldGrow(bool couldGrow, int counted)
    {
        RecordingLimiter? d1 = null;
        await using var rig = await OrchestratorRig.StartAsync(
            ["d1"], admission: o => o.MaxQueueLength = 1, limiter: ceiling => d1 = new RecordingLimiter(ceiling, limit: 1) { Growable = couldGrow });
        using var busy = SlotLease.TryTake(rig.Distributor("d1"), rig.Admission);
        using var aheadAtTheDoor = rig.Admission.TryEnter(freeSlots: 0, out _);

        var answer = await rig.BuyAsync("refused-key-1");

        Assert.Equal(503, OrchestratorRig.StatusOf(answer));
        Assert.Empty(rig.Sender.Calls);
        Assert.True(d1!.TakeNotedDemand());
        var scrape = await rig.ScrapeAsync();
        Assert.Contains($"\nmeterai_admission_refused_with_room_total {counted}\n", scrape, StringComparison.Ordinal);
        Assert.Contains("\nmeterai_admission_rejected_total{reason=\"queue_full\"} 1\n", scrape, StringComparison.Ordinal);
    }

    /// <summary>A limit that learns nothing itself: it keeps every sample, and says whether it could grow.</summary>
    private sealed class RecordingLimiter(int ceiling, int limit) : ConcurrencyLimiter(ceiling, limit)
    {
        public List<CapacitySample> Samples { get; } = [];

        public bool Growable { get; init; }

        public override bool CouldGrow => Growable;

        public bool TakeNotedDemand() => TakeDemand();

        protected override double Learn(in CapacitySample sample)
        {
            Samples.Add(sample);
            return Limit;
        }
    }
}
