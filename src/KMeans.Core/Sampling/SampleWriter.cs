using KMeans.Core.Buffers;

namespace KMeans.Core.Sampling;

/// <summary>
/// Stages rows bound for consecutive slots and writes them to the buffer in large sequential writes; a row for any
/// other slot (a reservoir replacement) flushes the run first. <paramref name="stagingBytes"/> bounds the staging (at
/// least one row), for callers that keep many writers open at once.
/// </summary>
internal sealed class SampleWriter(TrainingBuffer buffer, int stagingBytes = SampleWriter.DefaultStagingBytes)
{
    public const int DefaultStagingBytes = 1 << 20;
    private readonly float[] _staging = new float[Math.Max(1, stagingBytes / sizeof(float) / buffer.Dimension) * buffer.Dimension];
    private long _firstSlot;
    private int _stagedRows;

    public void Write(long slot, ReadOnlySpan<float> row)
    {
        int d = buffer.Dimension;
        if (_stagedRows > 0 && (slot != _firstSlot + _stagedRows || (_stagedRows + 1) * d > _staging.Length))
            Flush();
        if (_stagedRows == 0)
            _firstSlot = slot;
        row.CopyTo(_staging.AsSpan(_stagedRows * d, d));
        _stagedRows++;
    }

    public void Flush()
    {
        if (_stagedRows == 0)
            return;
        buffer.WriteRows(_firstSlot, _staging.AsSpan(0, _stagedRows * buffer.Dimension));
        _stagedRows = 0;
    }
}
