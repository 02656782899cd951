using Meterai.Gateway.Observability;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Admission;

/// <summary>
/// The line in a rush (spec: "Order of service in a rush"): one place per Idempotency-Key, taken at
/// the key's first arrival when it cannot be served at once, in order of that arrival. A retry keeps
/// its place; a key that does not come back within its grace loses it; a served key leaves.
/// </summary>
/// <remarks>
/// A place whose owner is away past its Retry-After (and <see cref="AdmissionOptions.LateAfter"/>)
/// no longer counts ahead of anyone, so abandoned places never freeze the line; it keeps its ticket,
/// and so its priority, until its grace ends. Design and measurements: docs/order-of-service.md.
/// </remarks>
internal sealed partial class WaitingLine
{
    /// <summary>The spec's grace: a place is kept this long past its Retry-After, or twice the Retry-After if longer.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan SweepEvery = TimeSpan.FromMilliseconds(100);

    /// <summary>The line's order: first arrival, then the key, so that every gateway sorts alike.</summary>
    private static readonly Comparer<Place> Order = Comparer<Place>.Create((x, y) =>
        x.Ticket != y.Ticket ? x.Ticket.CompareTo(y.Ticket) : string.CompareOrdinal(x.Key, y.Key));

    private readonly Dictionary<string, Place> _byKey = new(StringComparer.Ordinal);
    private readonly List<Place> _waiting = [];
    private readonly Dictionary<string, PlaceNote> _changes = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly AdmissionOptions _options;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics? _metrics;
    private long[] _dueSoon = [];

    // When each place next needs the sweep (its turn plus LateAfter, then the end of its grace), so a
    // sweep touches only the places due, not a line of a hundred thousand; stale entries are skipped.
    private readonly PriorityQueue<Place, long> _deadlines = new();
    private long _lastTicket;
    private long _sweptAt = long.MinValue;

    // Of the keys told to come back, the share that did (decayed over about the last hundred): bots
    // that buy with a fresh key after each 503 never do, and their places must not hold anyone back.
    private double _returned;
    private double _promised = 1;

    public WaitingLine(IOptions<AdmissionOptions> options, TimeProvider time, GatewayMetrics? metrics = null)
    {
        _options = options.Value;
        _time = time;
        _metrics = metrics;
    }

    /// <summary>Places counting in line now: waiting here or elsewhere, not away past their turn.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                Sweep();
                return _waiting.Count;
            }
        }
    }

    /// <summary>Of the keys told to come back lately, the share that did: a place away counts ahead of others by this much.</summary>
    /// <remarks>Read without the lock: two doubles a moment apart are near enough for an estimate.</remarks>
    public double ReturnShare => Volatile.Read(ref _returned) / Volatile.Read(ref _promised);

    /// <summary>The key's place, or null when it has none (never had one, was served, or lost it). A key told to come back is back.</summary>
    public LinePlace? Find(string key)
    {
        lock (_lock)
        {
            Sweep();
            if (!_byKey.TryGetValue(key, out var place))
            {
                return null;
            }

            if (place.AwaitedBack)
            {
                place.AwaitedBack = false;
                CountPromise(returned: true);
            }

            return Snapshot(place);
        }
    }

    /// <summary>The key's place, taken now at the back of the line if it has none.</summary>
    /// <returns>Null when the line is full (<see cref="AdmissionOptions.MaxPlaces"/>): the key queues as new next time.</returns>
    public LinePlace? Take(string key)
    {
        lock (_lock)
        {
            Sweep();
            if (_byKey.TryGetValue(key, out var place))
            {
                return Snapshot(place);
            }

            if (_byKey.Count >= _options.MaxPlaces)
            {
                return null;
            }

            var now = _time.GetUtcNow();
            _lastTicket = Math.Max(_lastTicket + 1, now.UtcTicks);
            place = new Place(key, _lastTicket) { DueAt = now, KeepUntil = now + Grace };
            _byKey.Add(key, place);
            _waiting.Add(place);
            Watch(place);
            Note(place);
            _metrics?.PlaceTaken();
            _metrics?.QueueLength(_waiting.Count);
            return Snapshot(place);
        }
    }

    /// <summary>
    /// The key was told to come back in <paramref name="retryAfter"/>: it counts ahead of others until
    /// then (and <see cref="AdmissionOptions.LateAfter"/>), and keeps its place for the grace beyond.
    /// </summary>
    public void Promise(string key, TimeSpan retryAfter)
    {
        lock (_lock)
        {
            if (!_byKey.TryGetValue(key, out var place))
            {
                return;
            }

            var now = _time.GetUtcNow();
            place.AwaitedBack = true;
            place.DueAt = Later(place.DueAt, now + retryAfter);
            place.KeepUntil = Later(place.KeepUntil, place.DueAt + (retryAfter > Grace ? retryAfter : Grace));
            Rejoin(place);
            Watch(place);
            Note(place);
        }
    }

    /// <summary>The key's request waits here for its turn (in the admission queue): it counts, and is no longer away.</summary>
    public void Arrived(string key)
    {
        lock (_lock)
        {
            if (_byKey.TryGetValue(key, out var place))
            {
                place.Present++;
                Rejoin(place);
            }
        }
    }

    /// <summary>The key's request stopped waiting (served, timed out or gone).</summary>
    public void Left(string key)
    {
        lock (_lock)
        {
            if (_byKey.TryGetValue(key, out var place) && place.Present > 0)
            {
                place.Present--;
                Watch(place);
            }
        }
    }

    /// <summary>The key's turn came (it holds a slot now): it leaves the line, everywhere.</summary>
    /// <returns>When the key first arrived, for the wait from first arrival to sale; null when it had no place.</returns>
    public DateTimeOffset? Served(string key)
    {
        lock (_lock)
        {
            if (!_byKey.Remove(key, out var place))
            {
                return null;
            }

            RemoveWaiting(place);
            Note(place, served: true);
            _metrics?.QueueLength(_waiting.Count);
            return new DateTimeOffset(place.Ticket, TimeSpan.Zero);
        }
    }

    /// <summary>
    /// Places ahead of <paramref name="ticket"/> whose owners are expected within
    /// <paramref name="horizon"/>: away, with a Retry-After that falls due by then (or just did).
    /// Places waiting in this gateway's queue are counted there, not here.
    /// </summary>
    /// <returns>Those places weighed by <see cref="ReturnShare"/>: only the owners expected back hold anyone back.</returns>
    public int DueSoonAhead(long ticket, TimeSpan horizon)
    {
        lock (_lock)
        {
            Sweep(horizon);
            var index = Array.BinarySearch(_dueSoon, ticket);
            return (int)Math.Round((index >= 0 ? index : ~index) * ReturnShare, MidpointRounding.AwayFromZero);
        }
    }

    private LinePlace Snapshot(Place place)
    {
        var index = place.Late ? 0 : _waiting.BinarySearch(place, Order);
        return new LinePlace(place.Key, place.Ticket, Math.Max(index, 0) + 1);
    }

    /// <summary>A late place whose owner is back, or whose promise moved on, counts again.</summary>
    private void Rejoin(Place place)
    {
        if (place.Late && (place.Present > 0 || _time.GetUtcNow() <= place.DueAt + _options.LateAfter))
        {
            place.Late = false;
            InsertWaiting(place);
        }
    }

    private void InsertWaiting(Place place)
    {
        var index = _waiting.BinarySearch(place, Order);
        _waiting.Insert(index >= 0 ? index : ~index, place);
    }

    private void RemoveWaiting(Place place)
    {
        if (place.Late)
        {
            return;
        }

        var index = _waiting.BinarySearch(place, Order);
        if (index >= 0)
        {
            _waiting.RemoveAt(index);
        }
    }

    /// <summary>At most every <see cref="SweepEvery"/>: places past their grace are lost, places away past their turn stop counting.</summary>
    private void Sweep(TimeSpan? horizon = null)
    {
        var timestamp = _time.GetTimestamp();
        if (_sweptAt != long.MinValue && _time.GetElapsedTime(_sweptAt, timestamp) < SweepEvery)
        {
            return;
        }

        _sweptAt = timestamp;
        var now = _time.GetUtcNow();
        var turnedLate = false;
        while (_deadlines.TryPeek(out var place, out var at) && at < now.UtcTicks)
        {
            _deadlines.Dequeue();
            if (place.Present > 0 || !_byKey.TryGetValue(place.Key, out var current) || current != place || Deadline(place) != at)
            {
                // Waiting here (watched again when it leaves), gone, or its deadline moved (watched at the new one).
                continue;
            }

            if (place.Late)
            {
                _byKey.Remove(place.Key);
                _metrics?.PlaceLost();
                continue;
            }

            turnedLate = true;
            place.Late = true;
            if (place.AwaitedBack)
            {
                place.AwaitedBack = false;
                CountPromise(returned: false);
            }

            _deadlines.Enqueue(place, Deadline(place));
        }

        if (turnedLate)
        {
            _waiting.RemoveAll(place => place.Late);
        }

        // Owners that never come back (a storm of fresh keys) hold nobody back: no list to build.
        var soon = now + (horizon ?? _options.MaxWait) + SweepEvery;
        _dueSoon = ReturnShare < 0.01 ? [] : [.. _waiting.Where(place => place.Present == 0 && place.DueAt <= soon).Select(place => place.Ticket)];
        _metrics?.QueueLength(_waiting.Count);
    }

    /// <summary>When the sweep must look at a place next: the end of its turn while it counts, the end of its grace once late.</summary>
    private long Deadline(Place place) => (place.Late ? place.KeepUntil : place.DueAt + _options.LateAfter).UtcTicks;

    private void Watch(Place place) => _deadlines.Enqueue(place, Deadline(place));

    private void CountPromise(bool returned)
    {
        const double Decay = 0.99;
        _returned = (_returned * Decay) + (returned ? 1 : 0);
        _promised = (_promised * Decay) + 1;
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;

    private sealed class Place(string key, long ticket)
    {
        public string Key { get; } = key;

        /// <summary>The key's first arrival in UTC ticks, unique per gateway; the line's order, with the key as a tie-break across gateways.</summary>
        public long Ticket { get; set; } = ticket;

        public DateTimeOffset DueAt { get; set; }

        public DateTimeOffset KeepUntil { get; set; }

        public int Present { get; set; }

        public bool Late { get; set; }

        /// <summary>Told to come back, and not back yet: counted in <see cref="ReturnShare"/> once it is, or once it is late.</summary>
        public bool AwaitedBack { get; set; }
    }
}
