using Dapper;
using Meterai.Gateway.Admission;
using Meterai.Gateway.Purchases;

namespace Meterai.Gateway.Tests.Purchases;

/// <summary>One purchase through the orchestrator alone: no Kestrel, no network, a FakeTimeProvider (<see cref="OrchestratorRig"/>).</summary>
public sealed class PurchaseOrchestratorTests
{
    [Fact]
    public async Task HandleAsync_FirstDistributorsRefuse_FailsOverInTurnUntilOneSells()
    {
        await using var rig = await OrchestratorRig.StartAsync(["d1", "d2", "d3"]);
        rig.Sender.Then(503).Then(400).Then(sent => Task.FromResult(ScriptedSender.Answer(201, ScriptedSender.Issued(sent))));

        var answer = await rig.BuyAsync("failover-key-1");

        Assert.Equal(201, OrchestratorRig.StatusOf(answer));
        var tried = rig.Sender.Calls.Select(c => c.DistributorId).ToList();
        Assert.Equal(3, tried.Distinct().Count());
        Assert.Equal(tried[2], answer.Seller);
        Assert.All(rig.Sender.Calls, c => Assert.Equal("""{"quantity":1,"applicantRef":"applicant-1"}""", c.Body));
        Assert.Equal(
            [(1L, tried[0], "refused"), (2L, tried[1], "refused"), (3L, tried[2], "issued")],
            (await rig.AttemptsAsync("failover-key-1")).Select(a => (a.Attempt, a.Distributor, a.Outcome)));
        Assert.All(rig.Fleet.All, d => Assert.Equal(0, d.Taken));
    }

    [Fact]
    public async Task HandleAsync_EveryDistributorRefuses_AnswersUnavailableAndFreesTheKey()
    {
        await using var rig = await OrchestratorRig.StartAsync(["d1", "d2"]);
        rig.Sender.Then(429).Then(401);

        var answer = await rig.BuyAsync("refused-key-1");

        Assert.Equal(503, OrchestratorRig.StatusOf(answer));
        Assert.Equal(2, rig.Sender.Calls.Count);
        Assert.Equal("unavailable", await rig.StatusInLedgerAsync("refused-key-1"));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(302)]
    [InlineData(200)]
    public async Task HandleAsync_AmbiguousAnswer_LooksUpAtTheSameDistributorAndNeverTriesAnother(int status)
    {
        await using var rig = await OrchestratorRig.StartAsync(["d1", "d2", "d3"]);
        rig.Sender.Then(status);

        var answer = await rig.BuyAsync("ambiguous-key-1");

        Assert.Equal(202, OrchestratorRig.StatusOf(answer));
        var sent = Assert.Single(rig.Sender.Calls);
        Assert.All(rig.Lookups, host => Assert.Equal(sent.DistributorId + ".example", host));
        Assert.NotEmpty(rig.Lookups);
        Assert.Equal("pending", await rig.StatusInLedgerAsync("ambiguous-key-1"));
        Assert.Equal([(1L, sent.DistributorId, "ambiguous")], (await rig.AttemptsAsync("ambiguous-key-1")).Select(a => (a.Attempt, a.Distributor, a.Outcome)));
    }

    [Fact]
    public async Task HandleAsync_BudgetSpentOnARefusal_TriesNoOtherDistributor()
    {
        await using var rig = await OrchestratorRig.StartAsync(["d1", "d2"], purchasing: o => o.TotalBudgetSeconds = 5);
        rig.Sender.Then(_ =>
        {
            rig.Time.Advance(TimeSpan.FromSeconds(6));
            return Task.FromResult(ScriptedSender.Answer(503));
        });

        var answer = await rig.BuyAsync("budget-key-1");

        Assert.Equal(503, OrchestratorRig.StatusOf(answer));
        Assert.Single(rig.Sender.Calls);
        Assert.Equal("unavailable", await rig.StatusInLedgerAsync("budget-key-1"));
    }

    [Fact]
    public async Task HandleAsync_TryTakenOverWhileTheOrderWasOut_WritesNothingAndAnswersInProgress()
    {
        await using var rig = await OrchestratorRig.StartAsync(["d1"]);
        rig.Sender.Then(async sent =>
        {
            // Another gateway (or reconciliation) claimed the row in the meantime: a new try.
            await using var connection = await rig.Database.OpenAsync(CancellationToken.None);
            await connection.ExecuteAsync("UPDATE purchases SET try_started_at = try_started_at + 1 WHERE purchase_id = @id", new { id = sent.PurchaseId });
            return ScriptedSender.Answer(201, ScriptedSender.Issued(sent));
        });

        var answer = await rig.BuyAsync("fenced-key-1");

        Assert.Equal(409, OrchestratorRig.StatusOf(answer));
        Assert.Equal("in_progress", await rig.StatusInLedgerAsync("fenced-key-1"));
        Assert.Equal(0, rig.Distributor("d1").Taken);
    }

    [Fact]
    public async Task HandleAsync_ApplicantLeavesWhileQueued_SendsNothingAndFreesTheKey()
    {
        await using var rig = await OrchestratorRig.StartAsync(["d1"], maxConcurrency: 1);
        using var busy = SlotLease.TryTake(rig.Distributor("d1"), rig.Admission);
        using var applicant = new CancellationTokenSource();

        var buying = rig.BuyAsync("leaves-key-1", applicantGone: applicant.Token);
        await Eventually.TrueAsync(() => rig.Admission.Length == 1, "the purchase to queue for a slot");
        await applicant.CancelAsync();
        var answer = await buying;

        Assert.Equal(503, OrchestratorRig.StatusOf(answer));
        Assert.Empty(rig.Sender.Calls);
        Assert.Equal("unavailable", await rig.StatusInLedgerAsync("leaves-key-1"));
        Assert.Equal(0, rig.Admission.Length);
    }

    [Fact]
    public async Task HandleAsync_ApplicantLeavesWhileTheOrderIsOut_FinishesAndRecordsTheOrder()
    {
        await using var rig = await OrchestratorRig.StartAsync(["d1"]);
        var distributorAnswers = new TaskCompletionSource<ScriptedSender.Sent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource();
        rig.Sender.Then(async sent =>
        {
            distributorAnswers.SetResult(sent);
            await release.Task;
            return ScriptedSender.Answer(201, ScriptedSender.Issued(sent));
        });
        using var applicant = new CancellationTokenSource();

        var buying = rig.BuyAsync("inflight-key-1", applicantGone: applicant.Token);
        await distributorAnswers.Task;
        await applicant.CancelAsync();
        release.SetResult();
        var answer = await buying;

        Assert.Equal(201, OrchestratorRig.StatusOf(answer));
        Assert.Equal("issued", await rig.StatusInLedgerAsync("inflight-key-1"));
    }

    [Fact]
    public async Task HandleAsync_SaleWhileAnotherWaits_TheSlotGoesToTheWaiter()
    {
        await using var rig = await OrchestratorRig.StartAsync(["d1"], maxConcurrency: 1);
        var d1 = rig.Distributor("d1");
        var firstOut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstAnswer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var takenWhenSecondSent = -1;
        rig.Sender
            .Then(async sent =>
            {
                firstOut.SetResult();
                await firstAnswer.Task;
                return ScriptedSender.Answer(201, ScriptedSender.Issued(sent));
            })
            .Then(sent =>
            {
                takenWhenSecondSent = d1.Taken;
                return Task.FromResult(ScriptedSender.Answer(201, ScriptedSender.Issued(sent)));
            });

        var first = rig.BuyAsync("handover-key-1");
        await firstOut.Task;
        var second = rig.BuyAsync("handover-key-2");
        await Eventually.TrueAsync(() => rig.Admission.Length == 1, "the second purchase to queue behind the first");
        Assert.Equal(1, d1.Taken);

        firstAnswer.SetResult();

        Assert.Equal(201, OrchestratorRig.StatusOf(await first));
        Assert.Equal(201, OrchestratorRig.StatusOf(await second));
        Assert.Equal(1, takenWhenSecondSent);
        Assert.Equal(["d1", "d1"], rig.Sender.Calls.Select(c => c.DistributorId));
        Assert.Equal(0, d1.Taken);
        Assert.Equal(0, rig.Admission.Length);
    }

    [Fact]
    public async Task HandleAsync_SoldOutAnswer_TakesTheDistributorOutOfRoutingAndFailsOver()
    {
        await using var rig = await OrchestratorRig.StartAsync(["d1", "d2"]);
        rig.Sender.Then(409, """{"error":"out_of_stock"}""").Then(sent => Task.FromResult(ScriptedSender.Answer(201, ScriptedSender.Issued(sent))));

        var answer = await rig.BuyAsync("soldout-key-1");

        Assert.Equal(201, OrchestratorRig.StatusOf(answer));
        var soldOut = rig.Sender.Calls[0].DistributorId;
        Assert.Equal(0, rig.Distributor(soldOut).Stock);
        Assert.DoesNotContain(rig.Cluster.DestinationsState.AvailableDestinations, d => d.DestinationId == soldOut);
    }
}
