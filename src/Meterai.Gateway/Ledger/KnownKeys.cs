namespace Meterai.Gateway.Ledger;

/// <summary>
/// The Idempotency-Keys the ledger holds, in memory, so that a surge is refused without a ledger
/// read: a key it has never seen is certainly new, and a new key refused by a full queue loses
/// nothing. A key it may have seen is looked up, so a retry still gets its stored answer.
/// </summary>
/// <remarks>
/// Two Bloom filters of fixed size: false positives (about 1 % when full) only cost a read; there
/// are no false negatives for the keys added since the older filter was started. When the newer
/// filter is full the older one is dropped, so memory stays fixed (about 2.4 MB at the default
/// 1,000,000 keys a filter) and the most recent 1 to 2 million keys are remembered. Until the
/// ledger's recent keys are loaded at start every key "may be known", which is the old behaviour.
/// Keys claimed by another gateway on a shared ledger arrive with the next refresh
/// (<see cref="KnownKeysRefresher"/>): until then such a retry, under a surge only, is refused
/// with 503 and Retry-After, which charges and writes nothing, and is answered on its next try.
/// </remarks>
internal sealed class KnownKeys
{
    // ~9.6 bits a key and 7 probes: about 1 % false positives at capacity.
    private const int BitsPerKey = 10;
    private const int Probes = 7;

    private readonly Lock _rotation = new();
    private readonly int _capacity;
    private Filter _current;
    private Filter _previous;
    private volatile bool _loaded;

    public KnownKeys(int capacity)
    {
        _capacity = capacity;
        _current = new Filter(capacity);
        _previous = new Filter(capacity);
    }

    /// <summary>True once the ledger's recent keys were loaded; before that every key may be known.</summary>
    public bool IsLoaded => _loaded;

    internal void MarkLoaded() => _loaded = true;

    /// <summary>False only when the ledger certainly does not hold this key.</summary>
    public bool MightContain(string key)
    {
        if (!_loaded)
        {
            return true;
        }

        var (h1, h2) = Hash(key);
        return _current.MightContain(h1, h2) || _previous.MightContain(h1, h2);
    }

    public void Add(string key)
    {
        var (h1, h2) = Hash(key);
        var current = _current;
        if (current.Add(h1, h2) < _capacity)
        {
            return;
        }

        lock (_rotation)
        {
            // The key filled this filter, which now becomes the previous one and keeps it. If another
            // thread rotated first, the filter may be older still: the key goes into the current one too.
            if (ReferenceEquals(current, _current))
            {
                _previous = _current;
                _current = new Filter(_capacity);
            }
            else
            {
                _current.Add(h1, h2);
            }
        }
    }

    /// <summary>64-bit FNV-1a, split into the two halves that double hashing needs; stable across processes, unlike string.GetHashCode.</summary>
    private static (uint, uint) Hash(string key)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return ((uint)hash, (uint)(hash >> 32) | 1);
    }

    private sealed class Filter(int capacity)
    {
        private readonly long[] _bits = new long[Math.Max(1, ((long)capacity * BitsPerKey + 63) / 64)];
        private int _count;

        private ulong Size => (ulong)_bits.Length * 64;

        /// <returns>How many keys the filter has taken, this one included.</returns>
        public int Add(uint h1, uint h2)
        {
            for (uint i = 0; i < Probes; i++)
            {
                var bit = (h1 + (i * h2)) % Size;
                Interlocked.Or(ref _bits[bit / 64], 1L << (int)(bit % 64));
            }

            return Interlocked.Increment(ref _count);
        }

        public bool MightContain(uint h1, uint h2)
        {
            for (uint i = 0; i < Probes; i++)
            {
                var bit = (h1 + (i * h2)) % Size;
                if ((Volatile.Read(ref _bits[bit / 64]) & (1L << (int)(bit % 64))) == 0)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
