using KMeans.Core.Numerics;

namespace KMeans.Core.Sampling;

/// <summary>
/// Decides, row by row in source order, whether a row enters the sample and in which slot. The choice depends only
/// on the seed and the row count, never on how the source splits its rows into batches, so every format of the same
/// rows yields the same sample.
/// </summary>
internal abstract class RowSampler
{
    /// <summary>Rows placed so far (slots 0 .. Placed − 1 hold rows).</summary>
    public abstract long Placed { get; }

    /// <summary>The slot for the next usable row, or −1 when it is not sampled.</summary>
    public abstract long Offer();

    /// <summary>Accounts for a row that cannot be used (null, or non-finite and skipped).</summary>
    public abstract void Skip();

    public static RowSampler Create(long? totalRows, long capacity, SeededRandom random) =>
        totalRows is long total ? new SelectionSampler(total, capacity, random) : new ReservoirSampler(capacity, random);

    /// <summary>
    /// For rows offered one at a time by a source that cannot be read twice (the pipeline): a reservoir that draws
    /// random numbers only for the rows it takes. The first <paramref name="capacity"/> rows fill slots 0, 1, … in order.
    /// </summary>
    public static RowSampler CreateSkipping(long capacity, SeededRandom random) => new SkippingReservoirSampler(capacity, random);

    /// <summary>
    /// Knuth's selection sampling (Algorithm S) when the row count is known: row t is taken with probability
    /// (needed / remaining). Chosen rows arrive in source order, so the buffer is written sequentially.
    /// </summary>
    private sealed class SelectionSampler(long total, long capacity, SeededRandom random) : RowSampler
    {
        private long _remaining = total;
        private long _placed;

        public override long Placed => _placed;

        public override long Offer()
        {
            long needed = capacity - _placed;
            long remaining = _remaining--;
            if (needed <= 0)
                return -1;
            if (needed < remaining && random.NextDouble() * remaining >= needed)
                return -1;
            return _placed++;
        }

        public override void Skip() => _remaining--;
    }

    /// <summary>
    /// Reservoir sampling (Algorithm R) when the row count is unknown: the first rows fill the buffer, then row t
    /// replaces a uniformly chosen slot with probability capacity / (t + 1).
    /// </summary>
    private sealed class ReservoirSampler(long capacity, SeededRandom random) : RowSampler
    {
        private long _seen;

        public override long Placed => Math.Min(_seen, capacity);

        public override long Offer()
        {
            long seen = _seen++;
            if (seen < capacity)
                return seen;
            long slot = random.NextInt64(seen + 1);
            return slot < capacity ? slot : -1;
        }

        public override void Skip()
        {
        }
    }

    /// <summary>
    /// Li's Algorithm L ("Reservoir-sampling algorithms of time complexity O(n(1 + log(N/n)))", 1994): once the
    /// reservoir is full, the gap to the next row taken is drawn from its geometric distribution, so a stream of N rows
    /// costs O(capacity · (1 + log(N / capacity))) draws instead of one per row, with the same uniform sample as
    /// Algorithm R. The gaps come from <see cref="Math.Log(double)"/> and <see cref="Math.Exp"/>, so the rows taken
    /// are reproducible on one platform; the library's log and exp could in principle round differently elsewhere.
    /// </summary>
    private sealed class SkippingReservoirSampler(long capacity, SeededRandom random) : RowSampler
    {
        private long _seen;
        private long _next = -1;
        private double _w;

        public override long Placed => Math.Min(_seen, capacity);

        public override long Offer()
        {
            long seen = _seen++;
            if (seen < capacity)
                return seen;
            if (seen == capacity)
            {
                _w = Math.Exp(Math.Log(Uniform()) / capacity);
                _next = Advance(capacity - 1);
            }
            if (seen != _next)
                return -1;
            long slot = random.NextInt64(capacity);
            _w *= Math.Exp(Math.Log(Uniform()) / capacity);
            _next = Advance(seen);
            return slot;
        }

        public override void Skip()
        {
        }

        /// <summary>The row after <paramref name="taken"/> that is taken next: it skips a geometric number of rows.</summary>
        private long Advance(long taken)
        {
            double skipped = Math.Floor(Math.Log(Uniform()) / double.LogP1(-_w));
            return skipped < long.MaxValue - taken - 1 ? taken + 1 + (long)skipped : long.MaxValue;
        }

        /// <summary>Uniform in (0, 1], so that its logarithm is finite.</summary>
        private double Uniform() => 1.0 - random.NextDouble();
    }
}
