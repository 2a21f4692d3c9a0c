using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Numerics;

namespace KMeans.Core.Sampling;

/// <summary>Projects each sampled row into the projected buffer's same slot, as it is written to the full buffer.</summary>
internal sealed class SampleProjector(RandomizedHadamardProjection projection, TrainingBuffer projected, DistanceMetric metric,
    Func<long, string> describeRow)
{
    private readonly SampleWriter _writer = new(projected);
    private readonly float[] _scratch = projection.NewScratch();
    private readonly float[] _row = new float[projection.OutputDimension];

    public void Write(long slot, ReadOnlySpan<float> row, long rowIndex)
    {
        projection.Project(row, _row, _scratch);
        if (metric == DistanceMetric.Cosine)
        {
            if (!VectorNorm.TryNormalize(_row, _row))
                throw new KMeansException(KMeansErrorKind.ZeroVector,
                    $"{RowScreen.Capitalized(describeRow(rowIndex))} projects to the zero vector in {projection.OutputDimension} dimensions, " +
                    "which has no direction under Cosine distance: raise the training dimension.", rowIndex);
        }
        _writer.Write(slot, _row);
    }

    public void Flush() => _writer.Flush();
}
