using Apache.Arrow.Types;
using KMeans.Core.Files;

namespace KMeans.Core.Tests.Files.Vectors;

/// <summary>The column names that tab completion of -Column offers: exactly those Open accepts as a vector column.</summary>
public sealed class VectorColumnNameTests(TempDirectory scratch) : IClassFixture<TempDirectory>
{
    [Theory]
    [InlineData("names.arrow", false)]
    [InlineData("names.arrows", true)]
    public void Arrow_lists_its_float_list_columns_in_schema_order_and_not_the_others(string name, bool stream)
    {
        float[][] rows = VectorRows.Fractions(4, 2);
        string path = scratch.File(name);
        ArrowTestFiles.Write(path, 4, 4, stream, compression: null,
            ("id", ArrowTestFiles.Int32s()), ("left", ArrowTestFiles.FixedSizeList(rows, ArrowTypeId.Float)),
            ("label", ArrowTestFiles.Strings()), ("right", ArrowTestFiles.List(rows)));

        Assert.Equal(["left", "right"], VectorFile.VectorColumnNames(path));
        Assert.All(VectorFile.VectorColumnNames(path), column => VectorFile.Open(path, column).Dispose());
    }

    [Fact]
    public void Parquet_lists_its_list_columns()
    {
        string path = scratch.File("names.parquet");
        ParquetTestFiles.Write(path, VectorRows.Fractions(4, 2), doubles: false, rowGroupRows: 4, "left", "right");

        Assert.Equal(["left", "right"], VectorFile.VectorColumnNames(path));
    }

    /// <summary>A name two columns share is refused by Open (AmbiguousColumn), so it is not offered either.</summary>
    [Fact]
    public void Names_that_columns_share_are_not_offered()
    {
        float[][] rows = VectorRows.Fractions(4, 2);
        string arrow = scratch.File("shared-names.arrow");
        ArrowTestFiles.Write(arrow, 4, 4, stream: false, compression: null,
            ("v", ArrowTestFiles.Int32s()), ("v", ArrowTestFiles.FixedSizeList(rows, ArrowTypeId.Float)),
            ("w", ArrowTestFiles.List(rows)));
        Assert.Equal(["w"], VectorFile.VectorColumnNames(arrow));

        string parquet = scratch.File("shared-names.parquet");
        ParquetTestFiles.Write(parquet, rows, doubles: false, rowGroupRows: 4, "v", "v", "w");
        Assert.Equal(["w"], VectorFile.VectorColumnNames(parquet));
        Assert.All(VectorFile.VectorColumnNames(parquet), column => VectorFile.Open(parquet, column).Dispose());
    }

    [Fact]
    public void Formats_without_named_columns_list_none()
    {
        string path = scratch.File("names.npy");
        VectorFileWriter.Write(new InMemoryVectorSource(VectorRows.Fractions(4, 2)), path, VectorFileFormat.Npy, CancellationToken.None);

        Assert.Empty(VectorFile.VectorColumnNames(path));
    }
}
