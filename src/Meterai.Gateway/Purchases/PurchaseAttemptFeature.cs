using Meterai.Gateway.Distributors;
using Meterai.Gateway.Ledger;

namespace Meterai.Gateway.Purchases;

/// <summary>
/// What the stages of YARP's proxy pipeline tell each other about the current attempt of one
/// purchase: the orchestrator sets it up, the attempt gate records the distributor, the
/// transforms send the order and capture the answer, and the orchestrator reads the result.
/// </summary>
internal sealed class PurchaseAttemptFeature(PurchaseTry purchaseTry, byte[] canonicalBody, int quantity)
{
    /// <summary>The try this request claimed; every ledger write of this request is fenced by it.</summary>
    public PurchaseTry Try { get; } = purchaseTry;

    /// <summary>Also the Idempotency-Key sent to the distributor, so the order can be looked up by it.</summary>
    public string PurchaseId => Try.PurchaseId;

    public int Quantity { get; } = quantity;

    public byte[] CanonicalBody { get; } = canonicalBody;

    public int Number { get; private set; }

    /// <summary>Set once a slot was taken and the attempt written to the ledger: from then on money may move.</summary>
    public DistributorState? Distributor { get; set; }

    /// <summary>
    /// A slot a finishing order handed to this purchase while it waited in the admission queue,
    /// already taken: the next attempt goes there without racing a newcomer for it. It outlives
    /// <see cref="Begin"/> until the attempt gate uses it or the orchestrator gives it back.
    /// </summary>
    public DistributorState? HandedSlot { get; set; }

    /// <summary>
    /// The number of the attempt recorded in the same write as the claim, at the distributor of
    /// <see cref="HandedSlot"/>; 0 when there is none. The attempt gate does not record it again.
    /// </summary>
    public int PreRecorded { get; set; }

    /// <summary>The ledger row was no longer this try's when the attempt was to be recorded: nothing was sent.</summary>
    public bool Fenced { get; set; }

    /// <summary>Orders in flight at the distributor when this one was sent, itself included: tells overload from failure.</summary>
    public int InFlightAtSend { get; set; }

    /// <summary>The attempt was recorded, but its turn at the distributor did not come in time: it was never sent.</summary>
    public bool Withdrawn { get; set; }

    /// <summary>The load balancer found no distributor with room.</summary>
    public bool NoRoom { get; set; }

    /// <summary>The distributor's HTTP status, when it answered.</summary>
    public int? Status { get; set; }

    public byte[]? Body { get; set; }

    /// <summary>The answer's headers arrived but its body could not be read: ambiguous.</summary>
    public bool BodyFailed { get; set; }

    /// <summary>What the answer means, once <see cref="AttemptClassifier"/> has read it: passive health and the orchestrator read it alike.</summary>
    public (AttemptOutcome Outcome, DistributorOrder? Order)? Classified { get; set; }

    public void Begin(int number)
    {
        Number = number;
        Distributor = null;
        InFlightAtSend = 0;
        NoRoom = false;
        Withdrawn = false;
        Status = null;
        Body = null;
        BodyFailed = false;
        Classified = null;
    }
}
