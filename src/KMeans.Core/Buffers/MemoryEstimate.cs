namespace KMeans.Core.Buffers;

/// <summary>
/// How much space a training run needs, computed exactly from its shape, so that a user can choose between the
/// in-memory and the on-disk buffer before starting.
/// </summary>
public sealed record MemoryEstimate(
    long SampleRows,
    int Dimension,
    int K,
    long SampleBytes,
    long WorkingBytes)
{
    /// <summary>Everything the in-memory run holds: the sample plus the working set.</summary>
    public long InMemoryBytes => SampleBytes + WorkingBytes;

    /// <summary>
    /// The sample holds min(rows, sampleRate × k) rows of <paramref name="dimension"/> float32 values; with rows
    /// unknown it holds sampleRate × k (the published 256 × k × dim × 4). The working set is what either buffer adds:
    /// per sample row a label, a distance, a norm and its place in the update's row lists; centroids (plain
    /// and packed); double-precision sums and counts; per-centroid bounds; and per-thread scratch for the assignment
    /// kernel and for rows the bounds cannot skip. With <paramref name="trainDimension"/> the sample is held twice,
    /// as it is and projected (the full rows serve the final pass), and the final pass adds a second label and
    /// distance per row; the rest is counted at the full dimension, the larger of the two.
    /// </summary>
    public static MemoryEstimate Compute(long? rows, int k, int dimension, int sampleRate, int threads,
        int? trainDimension = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (rows is < 0)
            throw new ArgumentOutOfRangeException(nameof(rows), rows, "Rows cannot be negative.");
        long sampleRows = rows is long r ? Math.Min(r, (long)sampleRate * k) : (long)sampleRate * k;
        long sampleBytes = sampleRows * (dimension + (trainDimension ?? 0)) * sizeof(float);
        long paddedK = (k + 63) / 64 * 64;
        long perRow = sampleRows * (sizeof(int) + sizeof(float) + sizeof(float) + sizeof(int)
            + (trainDimension is null ? 0 : sizeof(int) + sizeof(float)));
        long centroids = (k + paddedK) * (long)dimension * sizeof(float) + paddedK * sizeof(float);
        long sums = (long)k * dimension * sizeof(double) + (long)k * sizeof(long);
        const int blockRows = Training.KMeansOptions.DefaultRowsPerBlock;
        long bounds = 24L * k + threads * 4L * k;
        long scratch = threads * ((long)Distance.AssignmentKernel.ScratchBytesPerThread(blockRows)
            + blockRows * (4L * dimension + 12) + 32L * dimension);
        return new MemoryEstimate(sampleRows, dimension, k, sampleBytes, perRow + centroids + sums + bounds + scratch);
    }
}
