using KMeans.Core.Files;

namespace KMeans.Core.SampleData;

/// <summary>
/// Another source's rows rounded to the nearest whole number and clamped to 0…255, so that they fit a <c>.bvecs</c>
/// file, whose components are bytes.
/// </summary>
public sealed class ByteRoundedSource : IVectorSource
{
    private readonly IVectorSource _source;

    public ByteRoundedSource(IVectorSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
    }

    public string Description => $"{_source.Description}, rounded to bytes";

    public int Dimension => _source.Dimension;

    public long? RowCount => _source.RowCount;

    public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
    {
        float[] rounded = [];
        foreach (VectorBatch batch in _source.ReadBatches(cancellationToken))
        {
            if (rounded.Length < batch.Values.Length)
                rounded = new float[batch.Values.Length];
            ReadOnlySpan<float> values = batch.Values.Span;
            for (int i = 0; i < values.Length; i++)
                rounded[i] = Math.Clamp(MathF.Round(values[i]), 0f, byte.MaxValue);
            yield return new VectorBatch(batch.FirstRow, batch.RowCount, rounded.AsMemory(0, values.Length), batch.NullRows);
        }
    }

    public void Dispose() => _source.Dispose();
}
