using Meterai.Gateway.Admission;
using Meterai.Gateway.Purchases;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Meterai.Gateway.Tests.Purchases;

/// <summary>A full fleet's 503 leaves a moment late, so clients that ignore Retry-After spin slower; the wait it states counts from its arrival.</summary>
public sealed class RefusalPaceTests
{
    [Fact]
    public async Task HandleAsync_FleetFull_503IsPacedAndItsPromiseCountsThePace()
    {
        await using var rig = await OrchestratorRig.StartAsync(["d1"], maxConcurrency: 1, admission: o => o.MaxQueueLength = 0);
        using var busy = SlotLease.TryTake(rig.Distributor("d1"), rig.Admission);

        var answer = await rig.BuyAsync("paced-key-0001");

        Assert.Equal(503, OrchestratorRig.StatusOf(answer));
        Assert.Equal(TimeSpan.FromMilliseconds(new AdmissionOptions().RefusalPaceMilliseconds), answer.Pace);

        // Told to come back Retry-After seconds after the answer arrives, a pace from now: its place counts until then (and LateAfter).
        var problem = Assert.IsType<ProblemHttpResult>(answer.Result).ProblemDetails;
        var retryAfter = TimeSpan.FromSeconds(AdmissionControl.RetryAfterFor(TimeSpan.FromSeconds((double)problem.Extensions["estimatedWaitSeconds"]!)));
        var late = answer.Pace + retryAfter + new AdmissionOptions().LateAfter;
        rig.Time.Advance(late - TimeSpan.FromMilliseconds(150));
        Assert.Equal(1, rig.Line.Count);
        rig.Time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal(0, rig.Line.Count);
    }

    [Fact]
    public async Task PacedAsync_PacedAnswer_LeavesOnlyAfterThePaceAndNotAtAllOnceTheApplicantLeft()
    {
        await using var rig = await OrchestratorRig.StartAsync(["d1"]);
        var answer = new PurchaseAnswer(Results.Ok(), Pace: TimeSpan.FromMilliseconds(250));

        var paced = rig.Replies.PacedAsync(answer, CancellationToken.None).AsTask();
        Assert.False(paced.IsCompleted);
        rig.Time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.True(await paced);

        using var gone = new CancellationTokenSource();
        var left = rig.Replies.PacedAsync(answer, gone.Token).AsTask();
        await gone.CancelAsync();
        Assert.False(await left);
        Assert.True(await rig.Replies.PacedAsync(new PurchaseAnswer(Results.Ok()), CancellationToken.None));
    }
}
