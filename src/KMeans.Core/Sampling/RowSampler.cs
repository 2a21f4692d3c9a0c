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
}
