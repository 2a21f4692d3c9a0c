using KMeans.Core.Files;

namespace KMeans.Core.Tests.Files.Centroids;

/// <summary>
/// The partition prices of a balanced model travel with its centroids in the formats that record the metric (Arrow:
/// a price column; JSON: a price per centroid), bit for bit and in cluster order; the other formats drop them.
/// </summary>
public sealed class CentroidPriceFileTests : IDisposable
{
    private static readonly float[] AwkwardPrices = [0f, -1.5e-7f, 3.4028235e38f, 0.1f];

    private readonly TempDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static CentroidSet Priced() => new(4, CentroidSamples.AwkwardDimension, [.. CentroidSamples.AwkwardValues], [0, 1, 2, 3])
    {
        Prices = [.. AwkwardPrices],
    };

    [Theory]
    [InlineData("centroids.arrow", VectorFileFormat.Arrow)]
    [InlineData("centroids.arrows", VectorFileFormat.ArrowStream)]
    [InlineData("centroids.json", VectorFileFormat.Json)]
    public void FormatsThatRecordTheMetricKeepThePricesBitForBit(string name, VectorFileFormat format)
    {
        string path = _scratch.File(name);

        CentroidFile.Write(path, Priced(), format, overwrite: false);
        CentroidSet read = CentroidFile.Read(path);

        Assert.True(CentroidFile.RecordsPrices(format));
        Assert.Equal(AwkwardPrices.Select(BitConverter.SingleToInt32Bits), read.Prices!.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData("centroids.npy", VectorFileFormat.Npy)]
    [InlineData("centroids.csv", VectorFileFormat.Csv)]
    public void OtherFormatsDropThem(string name, VectorFileFormat format)
    {
        string path = _scratch.File(name);

        CentroidFile.Write(path, Priced(), format, overwrite: false);

        Assert.False(CentroidFile.RecordsPrices(format));
        Assert.Null(CentroidFile.Read(path).Prices);
    }

    [Fact]
    public void CentroidsWithoutPricesWriteNoPriceColumn()
    {
        string path = _scratch.File("centroids.json");

        CentroidFile.Write(path, CentroidSamples.Awkward(), VectorFileFormat.Json, overwrite: false);

        Assert.DoesNotContain("price", File.ReadAllText(path));
        Assert.Null(CentroidFile.Read(path).Prices);
    }

    [Fact]
    public void PricesFollowTheClusterIdsNotTheRowOrder()
    {
        string path = _scratch.File("shuffled.json");
        File.WriteAllText(path, """
            { "centroids": [
                { "clusterId": 1, "vector": [1, 1], "price": 2.5 },
                { "clusterId": 0, "vector": [0, 0], "price": -0.25 } ] }
            """);

        Assert.Equal([-0.25f, 2.5f], CentroidFile.Read(path).Prices!);
    }

    [Theory]
    [InlineData("""{ "centroids": [ { "vector": [1], "price": 1 }, { "vector": [2] } ] }""", "has no price, but earlier rows have one")]
    [InlineData("""{ "centroids": [ { "vector": [1], "price": "cheap" } ] }""", "expected a number")]
    [InlineData("""{ "centroids": [ { "vector": [1], "price": 1e39 } ] }""", "prices must be finite")]
    public void PricesOnSomeRowsOnlyOrNotNumbersAreRefused(string json, string message)
    {
        string path = _scratch.File("bad.json");
        File.WriteAllText(path, json);

        KMeansException error = Assert.Throws<KMeansException>(() => CentroidFile.Read(path));

        Assert.Equal(KMeansErrorKind.InvalidFile, error.Kind);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void ASetRefusesPricesOfTheWrongCountOrNotFinite()
    {
        Assert.Equal(KMeansErrorKind.DimensionMismatch, Assert.Throws<KMeansException>(() =>
            new CentroidSet(2, 1, [0f, 1f], [0, 0]) { Prices = [1f] }.Validate()).Kind);
        Assert.Equal(KMeansErrorKind.NonFiniteValue, Assert.Throws<KMeansException>(() =>
            new CentroidSet(2, 1, [0f, 1f], [0, 0]) { Prices = [1f, float.NaN] }.Validate()).Kind);
    }
}
