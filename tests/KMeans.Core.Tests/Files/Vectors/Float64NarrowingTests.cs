using Apache.Arrow.Types;
using KMeans.Core.Files;

namespace KMeans.Core.Tests.Files.Vectors;

/// <summary>
/// Float64 values read as float32: the readers say which column rounding blurred (values that differ by 3 at 1e8 read
/// as equal), and stay silent where float32 keeps the differences.
/// </summary>
public sealed class Float64NarrowingTests(TempDirectory scratch) : IClassFixture<TempDirectory>
{
    /// <summary>
    /// Columns 0–2 span 3.75, 3 and 2, column 3 is constant: at 1e8, where float32 spaces values 8 apart, rounding moves
    /// them by up to 3.75, 3, 2 and 0.
    /// </summary>
    private static readonly float[][] Rows = Enumerable.Range(0, 400)
        .Select(r => new float[] { r % 2 * 3 + 0.25f * (r % 4), 0.25f * (r % 13), r % 3, 5 })
        .ToArray();

    private const double Far = 1e8;

    [Fact]
    public void AColumnThatDiffersByLessThanFloat32ResolvesIsNamedWithItsRangeAndLargestRounding()
    {
        var narrowing = new Float64Narrowing(4, "rows.npy");
        float[] target = new float[4];
        foreach (float[] row in Rows)
            narrowing.NarrowRows(row.Select(v => v + Far).ToArray(), target);

        Float64Narrowing.Blur blur = Assert.IsType<Float64Narrowing.Blur>(narrowing.Worst());

        Assert.Equal(new Float64Narrowing.Blur("rows.npy", 0, Far, Far + 3.75, 3.75, 2), blur);
        string message = blur.Describe();
        Assert.StartsWith("rows.npy holds float64 values, read as float32", message);
        Assert.Contains("the values of column 0 span 3.75 from 1E+08, and float32 moves them by up to 3.75, 100 % of that span (and 2 other columns),", message);
        Assert.Contains("Subtract a common offset", message);
    }

    [Fact]
    public void NamesTheColumnRoundingMovedMostAndCountsTheOthers()
    {
        var narrowing = new Float64Narrowing(3, "rows.npy");
        float[] target = new float[3];
        // Float32 reads the four at 1e8 as 1e8: column 0 moves by 3, column 1 by 2, column 2 not at all.
        narrowing.NarrowRows([1e8, 1e8 + 1, 5], target);
        narrowing.NarrowRows([1e8 + 3, 1e8 + 2, 6], target);

        Float64Narrowing.Blur blur = narrowing.Worst()!;

        Assert.Equal(new Float64Narrowing.Blur("rows.npy", 0, 1e8, 1e8 + 3, 3, 1), blur);
        Assert.Contains("moves them by up to 3, 100 % of that span (and 1 other column)", blur.Describe());
    }

    [Fact]
    public void ASmallShareOfAColumnsSpanIsGivenWithItsDecimal()
    {
        // Column 1 spans 1,000 at 1e8, where float32 spaces values 8 apart, so the odd rows move by 4: 0.4 % of its span,
        // yet more than 1/1024 of the widest.
        var narrowing = new Float64Narrowing(2, "rows.npy");
        float[] target = new float[2];
        for (int row = 0; row <= 250; row++)
            narrowing.NarrowRows([row % 2, 1e8 + 4 * row], target);

        Float64Narrowing.Blur blur = narrowing.Worst()!;

        Assert.Equal(1, blur.Column);
        Assert.Contains("the values of column 1 span 1000 from 1E+08, and float32 moves them by up to 4, 0.4 % of that span,", blur.Describe());
    }

    [Fact]
    public void RoundingThatDistancesCannotFeelIsNoBlur()
    {
        // Float64 noise in an otherwise constant column (a normalised row scaled back), and a column of 0.1 with one
        // value an ulp away, beside columns that span about 2: rounding moves them by 1e-16 and 1.5e-9.
        var narrowing = new Float64Narrowing(3, "noise.npy");
        float[] target = new float[3];
        var random = new Random(1);
        for (int row = 0; row < 1000; row++)
            narrowing.NarrowRows([row % 7 == 0 ? 3 + 4.440892098500626e-16 : 3, row % 7 == 0 ? 0.1 + Math.Pow(2, -56) : 0.1, random.NextDouble() * 2 - 1], target);

        Assert.Null(narrowing.Worst());
    }

    [Fact]
    public void ValuesBelowFloat32sRangeAreABlurWhereTheyAreWhatTellsRowsApart()
    {
        var tiny = new Float64Narrowing(2, "tiny.npy");
        var beside = new Float64Narrowing(2, "beside.npy");
        float[] target = new float[2];
        var random = new Random(3);
        for (int row = 0; row < 50; row++)
        {
            double value = random.NextDouble() * 1e-50;
            tiny.NarrowRows([value, random.NextDouble() * 1e-51], target);
            Assert.Equal(0f, target[0]);
            beside.NarrowRows([value, random.NextDouble()], target);
        }

        Float64Narrowing.Blur blur = tiny.Worst()!;

        Assert.Equal(0, blur.Column);
        Assert.Equal(1, blur.OtherColumns);
        Assert.Equal(blur.Maximum, blur.LargestChange);
        Assert.Null(beside.Worst());
    }

    [Fact]
    public void EqualValuesOrdinaryValuesAndValuesBeyondFloat32AreNoBlur()
    {
        var narrowing = new Float64Narrowing(3, "plain.npy");
        float[] target = new float[3];
        var random = new Random(5);
        for (int row = 0; row < 1000; row++)
            narrowing.NarrowRows([0.1, random.NextDouble() * 2 - 1, row % 2 == 0 ? 1e39 : 1 + random.NextDouble()], target);

        Assert.Null(narrowing.Worst());
    }

    [Theory]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(33)]
    public void WholeRowsGiveTheFloatsOfOneValueAtATimeAndNoteOnlyTheRowsThatAreFiniteInFloat32(int dimension)
    {
        // Columns spanning 1e-50 to 100, some at 1e8, so that some blur and some do not, with NaN, infinities, values
        // beyond float32, -0 and subnormals here and there.
        var random = new Random(dimension);
        // Only values that float32 cannot hold go among the columns at 1e8: a small one there would widen the column.
        double[] specials = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e39, -1e39, -0.0, 1e-40, 3e-45, 1e-50];
        double[] rows = new double[200 * dimension];
        for (int i = 0; i < rows.Length; i++)
        {
            int column = i % dimension;
            rows[i] = random.Next(40) == 0 ? specials[random.Next(column % 3 == 0 ? 5 : specials.Length)]
                : Math.Pow(10, new[] { -50, -3, 0, 1, 2 }[column % 5]) * random.NextDouble() + (column % 3 == 0 ? 1e8 : 0);
        }
        var narrowing = new Float64Narrowing(dimension, "rows");
        float[] narrowed = new float[rows.Length];

        narrowing.NarrowRows(rows, narrowed);

        Assert.Equal(rows.Select(value => BitConverter.SingleToInt32Bits(KMeans.Core.Numerics.BeyondFloat32.Narrow(value))),
            narrowed.Select(BitConverter.SingleToInt32Bits));
        Float64Narrowing.Blur? expected = WorstOfFiniteRows(rows, dimension);
        Assert.NotNull(expected);
        Assert.Equal(expected, narrowing.Worst());
    }

    /// <summary>What <see cref="Float64Narrowing.Worst"/> should give, worked out value by value.</summary>
    private static Float64Narrowing.Blur? WorstOfFiniteRows(double[] rows, int dimension)
    {
        double[] minimum = Enumerable.Repeat(double.PositiveInfinity, dimension).ToArray();
        double[] maximum = Enumerable.Repeat(double.NegativeInfinity, dimension).ToArray();
        double[] change = new double[dimension];
        for (int row = 0; row < rows.Length; row += dimension)
        {
            double[] values = rows[row..(row + dimension)];
            if (!values.All(value => float.IsFinite(KMeans.Core.Numerics.BeyondFloat32.Narrow(value))))
                continue;
            for (int j = 0; j < dimension; j++)
            {
                minimum[j] = Math.Min(minimum[j], values[j]);
                maximum[j] = Math.Max(maximum[j], values[j]);
                change[j] = Math.Max(change[j], Math.Abs(values[j] - (float)values[j]));
            }
        }
        double widest = Enumerable.Range(0, dimension).Max(j => maximum[j] - minimum[j]);
        int[] blurred = Enumerable.Range(0, dimension)
            .Where(j => maximum[j] > minimum[j] && change[j] > Float64Narrowing.TolerableShare * widest).ToArray();
        if (blurred.Length == 0)
            return null;
        int worst = blurred.MaxBy(j => change[j]);
        return new Float64Narrowing.Blur("rows", worst, minimum[worst], maximum[worst], change[worst], blurred.Length - 1);
    }

    [Fact]
    public void ARowNotedSomeOtherWayCountsOnlyWhenWholeAndFinite()
    {
        var narrowing = new Float64Narrowing(2, "pipeline input");
        narrowing.NoteRow([1e8, 1], [1e8f, 1]);
        narrowing.NoteRow([1e8 + 3, 2], [1e8f, 2]);
        narrowing.NoteRow([0, 3], [0, float.NaN]);
        narrowing.NoteRow([0], [0]);

        Assert.Equal(new Float64Narrowing.Blur("pipeline input", 0, 1e8, 1e8 + 3, 3, 0), narrowing.Worst());
    }

    public static TheoryData<string> Float64Layouts => new() { "c.npy", "fortran.npy", "doubles.parquet", "doubles.arrow" };

    [Theory]
    [MemberData(nameof(Float64Layouts))]
    public void EveryFloat64ReaderNamesTheBlurredColumnOnceItHasReadTheRows(string name)
    {
        string path = Write(name, Far);
        using IVectorSource source = VectorFile.Open(path);
        Assert.Empty(source.Float64Blurs);

        List<float[]?> read = VectorRows.ReadAll(source);

        VectorRows.Equal(Rows.Select(row => row.Select(v => (float)(v + Far)).ToArray()).ToList(), read);
        Float64Narrowing.Blur blur = Assert.Single(source.Float64Blurs);
        Assert.Equal(new Float64Narrowing.Blur(path, 0, Far, Far + 3.75, 3.75, 2), blur);
    }

    [Theory]
    [MemberData(nameof(Float64Layouts))]
    public void Float64ValuesThatFloat32HoldsAreNoBlur(string name)
    {
        using IVectorSource source = VectorFile.Open(Write("near-" + name, 0.5));

        VectorRows.ReadAll(source);

        Assert.Empty(source.Float64Blurs);
    }

    [Theory]
    [MemberData(nameof(Float64Layouts))]
    public void ARowTheChecksRefuseWidensNoColumn(string name)
    {
        // A row holding NaN whose column 0 is 0 (-1e8 + 1e8): noted, column 0 would span 1e8 and its blur of 3.75 vanish.
        float[] refused = [(float)-Far, float.NaN, 1, 5];
        string path = Write("refused-" + name, Far, [.. Rows, refused]);
        using IVectorSource source = VectorFile.Open(path);

        List<float[]?> read = VectorRows.ReadAll(source);

        Assert.True(float.IsNaN(read[^1]![1]));
        Assert.Equal(new Float64Narrowing.Blur(path, 0, Far, Far + 3.75, 3.75, 2), Assert.Single(source.Float64Blurs));
    }

    [Fact]
    public void ANullElementsSlotIsNoValueOfItsColumn()
    {
        // Column 0 holds 1e8 + 0..3 and, in a null slot, the 0 a writer leaves there: the range stays 1e8 to 1e8 + 3.
        string path = scratch.File("null-slot.arrow");
        ArrowTestFiles.Write(path, 40, 40, stream: false, compression: null, ("vector", (first, count) =>
        {
            var builder = new Apache.Arrow.FixedSizeListArray.Builder(DoubleType.Default, 2);
            var values = (Apache.Arrow.DoubleArray.Builder)builder.ValueBuilder;
            for (int row = first; row < first + count; row++)
            {
                builder.Append();
                if (row == 7)
                    values.AppendNull();
                else
                    values.Append(Far + row % 4);
                values.Append(row % 3);
            }
            return builder.Build();
        }));
        using IVectorSource source = VectorFile.Open(path);

        List<float[]?> read = VectorRows.ReadAll(source);

        Assert.True(KMeans.Core.Numerics.NullElement.Is(read[7]![0]));
        Assert.Equal(new Float64Narrowing.Blur(path, 0, Far, Far + 3, 3, 0), Assert.Single(source.Float64Blurs));
    }

    [Fact]
    public void SeveralFilesNameEachBlurredFile()
    {
        string far = Write("shard-far.npy", Far), near = Write("shard-near.parquet", 0), farToo = Write("shard-far.arrow", Far);
        using var shards = new ConcatenatedVectorSource([VectorFile.Open(far), VectorFile.Open(near), VectorFile.Open(farToo)]);

        VectorRows.ReadAll(shards);

        Assert.Equal([far, farToo], shards.Float64Blurs.Select(blur => blur.Source));
    }

    private string Write(string name, double offset, float[][]? rows = null)
    {
        rows ??= Rows;
        string path = scratch.File(name);
        if (File.Exists(path))
            return path;
        switch (Path.GetExtension(name))
        {
            case ".npy":
                RawTestFiles.Npy(path, rows, "<f8", fortran: name.Contains("fortran"), offset: offset);
                break;
            case ".parquet":
                ParquetTestFiles.Write(path, rows, doubles: true, rowGroupRows: 150, offset, "vector");
                break;
            default:
                ArrowTestFiles.Write(path, rows.Length, 128, stream: false, compression: null,
                    ("vector", ArrowTestFiles.FixedSizeList(rows, ArrowTypeId.Double, offset)));
                break;
        }
        return path;
    }
}
