using System.Globalization;
using System.Runtime.CompilerServices;
using KMeans.Core.Numerics;

namespace KMeans.Core.Files;

/// <summary>
/// Reads a source's float64 values as float32, the precision the module computes in, and keeps per column the range of
/// the values and the most rounding moved one. Where rounding moves a column's values by more than
/// <see cref="TolerableShare"/> of their range, float32 keeps too little of what tells rows apart there: rows at
/// 1e8 + 0 and 1e8 + 3 read as equal, values of 1e-50 as 0, and clusters then follow the rounding, not the data.
/// A column whose values are all equal loses nothing that tells rows apart, whatever rounding does to it.
/// </summary>
public sealed class Float64Narrowing
{
    /// <summary>Rounding above this share of a column's range leaves float32 fewer than ten bits of its variation.</summary>
    public const double TolerableShare = 1.0 / 1024;

    private readonly double[] _minimum;
    private readonly double[] _maximum;
    private readonly double[] _largestChange;
    private readonly string _source;

    /// <param name="source">What the values come from (a file path), as <see cref="Blur.Describe"/> names it.</param>
    public Float64Narrowing(int dimension, string source)
    {
        _source = source;
        _minimum = new double[dimension];
        _maximum = new double[dimension];
        _largestChange = new double[dimension];
        Array.Fill(_minimum, double.PositiveInfinity);
        Array.Fill(_maximum, double.NegativeInfinity);
    }

    /// <summary>Narrows whole rows, row-major, the first value in column 0.</summary>
    public void NarrowRows(ReadOnlySpan<double> values, Span<float> target)
    {
        int column = 0;
        for (int i = 0; i < values.Length; i++)
        {
            target[i] = Narrow(values[i], column);
            if (++column == _minimum.Length)
                column = 0;
        }
    }

    /// <summary>Narrows values that all belong to <paramref name="column"/> (a column-major file's run of one column).</summary>
    public void NarrowColumn(int column, ReadOnlySpan<double> values, Span<float> target)
    {
        for (int i = 0; i < values.Length; i++)
            target[i] = Narrow(values[i], column);
    }

    /// <summary>
    /// The float32 nearest <paramref name="value"/> (<see cref="BeyondFloat32.Narrow"/>), noted for
    /// <paramref name="column"/>. Values that are not finite in float32 are the row checks' business, and a column
    /// beyond the dimension (a list too long, which its reader refuses) has nothing to note.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Narrow(double value, int column)
    {
        float narrowed = BeyondFloat32.Narrow(value);
        if (float.IsFinite(narrowed) && (uint)column < (uint)_minimum.Length)
        {
            _minimum[column] = Math.Min(_minimum[column], value);
            _maximum[column] = Math.Max(_maximum[column], value);
            _largestChange[column] = Math.Max(_largestChange[column], Math.Abs(value - narrowed));
        }
        return narrowed;
    }

    /// <summary>The column that rounding blurred most for its range, if any lost more than <see cref="TolerableShare"/>.</summary>
    public Blur? Worst()
    {
        Blur? worst = null;
        int blurred = 0;
        for (int j = 0; j < _minimum.Length; j++)
        {
            double range = _maximum[j] - _minimum[j];
            if (!(range > 0) || !(_largestChange[j] > TolerableShare * range))
                continue;
            blurred++;
            if (worst is null || _largestChange[j] / range > worst.LargestChange / (worst.Maximum - worst.Minimum))
                worst = new Blur(_source, j, _minimum[j], _maximum[j], _largestChange[j], 0);
        }
        return worst is null ? null : worst with { OtherColumns = blurred - 1 };
    }

    /// <summary>A column whose values float32 rounds by more than <see cref="TolerableShare"/> of their range.</summary>
    public sealed record Blur(string Source, int Column, double Minimum, double Maximum, double LargestChange, int OtherColumns)
    {
        public string Describe()
        {
            string others = OtherColumns switch
            {
                0 => "",
                1 => " (and 1 other column)",
                _ => string.Create(CultureInfo.InvariantCulture, $" (and {OtherColumns} other columns)"),
            };
            return string.Create(CultureInfo.InvariantCulture,
                $"{Source} holds float64 values, read as float32 (the precision the module computes in): the values of column {Column} span {Maximum - Minimum:G3} from {Minimum:G6}, and float32 moves them by up to {LargestChange:G3}, {LargestChange / (Maximum - Minimum):P0} of that span{others}, so rows that differ there train and assign as if equal. Subtract a common offset (such as the column means) from the vectors, or scale them, before training.");
        }
    }
}
