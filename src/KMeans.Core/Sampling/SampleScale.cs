using KMeans.Core.Distance;
using KMeans.Core.Numerics;

namespace KMeans.Core.Sampling;

/// <summary>
/// Whether the rows of a sample held a nonzero value but none of magnitude <see cref="ValueRange.SmallestScale"/> or
/// more: under L2 and Dot such rows all look alike (<see cref="SampleBuilder.TooSmallToCompare"/>). Each row is
/// looked at only until one reaches that scale: on ordinary data, the first.
/// </summary>
internal sealed class SampleScale
{
    private bool _sawNonZero;
    private bool _sawScale;

    public bool OnlyTinyValues => _sawNonZero && !_sawScale;

    public void Note(ReadOnlySpan<float> row)
    {
        if (_sawScale)
            return;
        _sawScale = !ValueRange.AllWithin(row, ValueRange.SmallestScale);
        _sawNonZero |= !VectorNorm.IsZero(row);
    }
}
