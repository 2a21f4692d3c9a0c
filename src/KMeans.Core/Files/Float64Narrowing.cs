using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using KMeans.Core.Numerics;

namespace KMeans.Core.Files;

/// <summary>
/// Reads a source's float64 values as float32, the precision the module computes in, and keeps per column the range of
/// the values and the most rounding moved one. Where rounding moves a column's values by more than
/// <see cref="TolerableShare"/> of the widest column's range, float32 keeps too little of what tells rows apart: rows
/// at 1e8 + 0 and 1e8 + 3 read as equal, values of 1e-50 as 0, and clusters then follow the rounding, not the data.
/// Measured against the widest range, rounding that distances cannot feel (a column of 0.1 beside columns spanning 1,
/// or float64 noise of 1e-16 in an otherwise constant column) is no blur; nor is anything done to a column whose
/// values are all equal, which tells no rows apart.
/// </summary>
public sealed class Float64Narrowing
{
    /// <summary>Rounding above this share of the widest range leaves float32 fewer than ten bits of the rows' differences.</summary>
    public const double TolerableShare = 1.0 / 1024;

    private readonly double[] _minimum;
    private readonly double[] _maximum;
    private readonly double[] _largestChange;
    private readonly string _source;
    private readonly string _values;

    /// <param name="source">What the values come from (a file path), as <see cref="Blur.Describe"/> names it.</param>
    /// <param name="values">What the values are, as <see cref="Blur.Describe"/> names them (piped lists hold whole numbers too).</param>
    public Float64Narrowing(int dimension, string source, string values = Blur.Float64Values)
    {
        _source = source;
        _values = values;
        _minimum = new double[dimension];
        _maximum = new double[dimension];
        _largestChange = new double[dimension];
        Array.Fill(_minimum, double.PositiveInfinity);
        Array.Fill(_maximum, double.NegativeInfinity);
    }

    /// <summary>The columns it keeps notes for: a row of another length is narrowed without notes.</summary>
    public int Dimension => _minimum.Length;

    /// <summary>
    /// Narrows whole rows, row-major, the first value in column 0, noting each row whose values all narrow to finite
    /// float32 values: a row holding a NaN, an infinity or a value beyond float32 is refused by the row checks, and its
    /// other values must not widen their columns' ranges.
    /// </summary>
    public void NarrowRows(ReadOnlySpan<double> values, Span<float> target)
    {
        int d = _minimum.Length;
        if (values.Length % d != 0)
            throw new ArgumentException($"{values.Length} values are not whole rows of {d}.", nameof(values));
        for (int row = 0; row < values.Length; row += d)
        {
            if (NarrowRow(values.Slice(row, d), target.Slice(row, d)))
                NoteFiniteRow(values.Slice(row, d), target.Slice(row, d));
        }
    }

    /// <summary>
    /// Notes a row read as float32 some other way (a piped list mixing whole numbers with doubles, whose range counts
    /// as much as theirs), if it has a value for every column and all of them are finite in float32.
    /// </summary>
    public void NoteRow(ReadOnlySpan<double> values, ReadOnlySpan<float> narrowed)
    {
        if (values.Length != _minimum.Length || narrowed.Length != values.Length)
            return;
        foreach (float value in narrowed)
        {
            if (!float.IsFinite(value))
                return;
        }
        NoteFiniteRow(values, narrowed);
    }

    /// <summary>
    /// One row as <see cref="BeyondFloat32.Narrow"/> takes each value, eight at a time where the hardware has 256-bit
    /// vectors; true if every value is finite in float32. Fashion-MNIST as a float64 .npy, assigned with -Summary, took
    /// 0.08–0.09 s before the notes, 0.14–0.21 s with them taken one value at a time, 0.07–0.09 s this way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool NarrowRow(ReadOnlySpan<double> row, Span<float> target)
    {
        bool finite = true;
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var largest = Vector256.Create(float.MaxValue);
            for (; j <= row.Length - 8; j += 8)
            {
                Vector256<float> narrowed = Vector256.Narrow(Vector256.Create(row.Slice(j, 4)), Vector256.Create(row.Slice(j + 4, 4)));
                if (Vector256.LessThanOrEqualAll(Vector256.Abs(narrowed), largest))
                {
                    narrowed.CopyTo(target.Slice(j, 8));
                    continue;
                }
                // A NaN, an infinity or a value beyond float32 among them: each as the scalar path takes it.
                for (int i = j; i < j + 8; i++)
                    target[i] = BeyondFloat32.Narrow(row[i]);
                finite = false;
            }
        }
        for (; j < row.Length; j++)
        {
            target[j] = BeyondFloat32.Narrow(row[j]);
            finite &= float.IsFinite(target[j]);
        }
        return finite;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void NoteFiniteRow(ReadOnlySpan<double> row, ReadOnlySpan<float> narrowed)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j <= row.Length - 8; j += 8)
            {
                (Vector256<double> lowBack, Vector256<double> highBack) = Vector256.Widen(Vector256.Create(narrowed.Slice(j, 8)));
                Note(j, Vector256.Create(row.Slice(j, 4)), lowBack);
                Note(j + 4, Vector256.Create(row.Slice(j + 4, 4)), highBack);
            }
        }
        for (; j < row.Length; j++)
        {
            _minimum[j] = Math.Min(_minimum[j], row[j]);
            _maximum[j] = Math.Max(_maximum[j], row[j]);
            _largestChange[j] = Math.Max(_largestChange[j], Math.Abs(row[j] - narrowed[j]));
        }
    }

    /// <summary>The notes of four values from <paramref name="column"/> on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Note(int column, Vector256<double> values, Vector256<double> narrowed)
    {
        Span<double> minimum = _minimum.AsSpan(column, 4), maximum = _maximum.AsSpan(column, 4), change = _largestChange.AsSpan(column, 4);
        Vector256.Min(Vector256.Create((ReadOnlySpan<double>)minimum), values).CopyTo(minimum);
        Vector256.Max(Vector256.Create((ReadOnlySpan<double>)maximum), values).CopyTo(maximum);
        Vector256.Max(Vector256.Create((ReadOnlySpan<double>)change), Vector256.Abs(values - narrowed)).CopyTo(change);
    }

    /// <summary>
    /// The column of values not all equal that rounding moved most, if that is more than <see cref="TolerableShare"/>
    /// of the widest column's range, with how many other columns did too.
    /// </summary>
    public Blur? Worst()
    {
        double widest = 0;
        for (int j = 0; j < _minimum.Length; j++)
            widest = Math.Max(widest, _maximum[j] - _minimum[j]);
        Blur? worst = null;
        int blurred = 0;
        for (int j = 0; j < _minimum.Length; j++)
        {
            if (!(_maximum[j] > _minimum[j]) || !(_largestChange[j] > TolerableShare * widest))
                continue;
            blurred++;
            if (worst is null || _largestChange[j] > worst.LargestChange)
                worst = new Blur(_source, j, _minimum[j], _maximum[j], _largestChange[j], 0, _values);
        }
        return worst is null ? null : worst with { OtherColumns = blurred - 1 };
    }

    /// <summary>A column whose values float32 moves by more than <see cref="TolerableShare"/> of the widest column's range.</summary>
    public sealed record Blur(string Source, int Column, double Minimum, double Maximum, double LargestChange, int OtherColumns,
        string Values = Blur.Float64Values)
    {
        public const string Float64Values = "float64 values";

        public string Describe()
        {
            string others = OtherColumns switch
            {
                0 => "",
                1 => " (and 1 other column)",
                _ => string.Create(CultureInfo.InvariantCulture, $" (and {OtherColumns} other columns)"),
            };
            return string.Create(CultureInfo.InvariantCulture,
                $"{Source} holds {Values}, read as float32 (the precision the module computes in): the values of column {Column} span {Maximum - Minimum:G4} from {Minimum:G6}, and float32 moves them by up to {LargestChange:G4}, {(100 * LargestChange / (Maximum - Minimum)).ToString("0.#", CultureInfo.InvariantCulture)} % of that span{others}, so rows that differ there train and assign as if equal. Subtract a common offset (such as the column means) from the vectors, or scale them, before training.");
        }
    }
}
