using Apache.Arrow.Types;
using KMeans.Core.Files;

namespace KMeans.Core.Tests.Files.Vectors;

/// <summary>The row count a file's header declares, read where Open refuses the file (assignment keeps those rows' places).</summary>
public sealed class DeclaredRowCountTests(TempDirectory scratch) : IClassFixture<TempDirectory>
{
    [Fact]
    public void Files_refused_when_opened_still_declare_their_row_count()
    {
        float[][] rows = VectorRows.Fractions(5, 2);
        string arrow = scratch.File("declared.arrow");
        ArrowTestFiles.Write(arrow, 5, 5, stream: false, compression: null,
            ("v", ArrowTestFiles.Int32s()), ("v", ArrowTestFiles.FixedSizeList(rows, ArrowTypeId.Float)));
        string parquet = scratch.File("declared.parquet");
        ParquetTestFiles.Write(parquet, rows, doubles: false, rowGroupRows: 2, "v", "v");
        foreach (string path in new[] { arrow, parquet })
        {
            Assert.Throws<KMeansException>(() => VectorFile.Open(path, "v"));
            Assert.Equal(5, VectorFile.DeclaredRowCount(path));
        }

        string stream = scratch.File("declared.arrows");
        ArrowTestFiles.Write(stream, 5, 5, stream: true, compression: null, ("v", ArrowTestFiles.FixedSizeList(rows, ArrowTypeId.Float)));
        Assert.Null(VectorFile.DeclaredRowCount(stream));
        string garbage = scratch.File("garbage.npy");
        File.WriteAllText(garbage, "not a NumPy file");
        Assert.Null(VectorFile.DeclaredRowCount(garbage));
        Assert.Null(VectorFile.DeclaredRowCount(scratch.File("missing.parquet")));
    }
}
