using KMeans.Core.Files;

namespace KMeans.Core.Tests.Files;

public class PipelineVectorSourceTests
{
    [Fact]
    public void TheFirstVectorFixesTheDimensionAndAnOddOneKeepsItsIndexAsANullRow()
    {
        using var source = new PipelineVectorSource();

        Assert.Null(source.Add([1f, 2f]));
        KMeansException? mismatch = source.Add([1f, 2f, 3f]);
        source.AddRejected();
        Assert.Null(source.Add([5f, 6f]));

        Assert.NotNull(mismatch);
        Assert.Equal(KMeansErrorKind.DimensionMismatch, mismatch.Kind);
        Assert.Equal("Input item 1 has 3 values, but every vector must have 2, like the first vector.", mismatch.Message);
        Assert.Equal(1L, mismatch.Target);
        Assert.Equal(2, source.Dimension);
        Assert.Equal(4, source.RowCount);
        Assert.Equal(2, source.AcceptedCount);
        VectorBatch batch = Assert.Single(source.ReadBatches(default));
        Assert.Equal([false, true, true, false], Enumerable.Range(0, 4).Select(batch.IsNull));
        Assert.Equal([1f, 2f], batch.Values.Span[..2].ToArray());
        Assert.Equal([5f, 6f], batch.Values.Span[6..8].ToArray());
    }

    [Fact]
    public void ASourceWithoutVectorsIsNoRows()
    {
        using var source = new PipelineVectorSource();
        source.AddRejected();

        Assert.Equal(KMeansErrorKind.NoRows, Assert.Throws<KMeansException>(() => source.Dimension).Kind);
    }
}
