using System.Globalization;
using KMeans.Core.Files;

namespace KMeans.PowerShell.Mapping;

/// <summary>Converts between the public centroid types and the engine's <see cref="CentroidSet"/> that files hold.</summary>
internal static class CentroidSets
{
    public static CentroidSet FromModel(KMeansModel model, string moduleVersion)
    {
        CentroidSet set = Pack(model.Centroids, moduleVersion, model.Distance, model.Loss, model.Iterations, model.Seed);
        set.Metadata["converged"] = model.Converged ? "true" : "false";
        set.Metadata["sample_rows"] = model.SampleRows.ToString(CultureInfo.InvariantCulture);
        return set;
    }

    public static CentroidSet FromCentroids(IReadOnlyList<KMeansCentroid> centroids, string moduleVersion, KMeansDistance? distance) =>
        Pack(centroids, moduleVersion, distance, loss: null, iterations: null, seed: null);

    public static KMeansCentroid[] ToCentroids(CentroidSet set)
    {
        var centroids = new KMeansCentroid[set.K];
        for (int c = 0; c < set.K; c++)
            centroids[c] = new KMeansCentroid(c, set.Sizes?[c], set.Centroid(c), set.Distance?.ToPublic(), set.Prices?[c]);
        return centroids;
    }

    private static CentroidSet Pack(IReadOnlyList<KMeansCentroid> centroids, string moduleVersion, KMeansDistance? distance,
        double? loss, int? iterations, int? seed)
    {
        int dimension = centroids[0].Dimension;
        var values = new float[(long)centroids.Count * dimension];
        for (int c = 0; c < centroids.Count; c++)
            centroids[c].Values.CopyTo(values.AsSpan(c * dimension));
        return new CentroidSet(centroids.Count, dimension, values, Sizes(centroids))
        {
            Distance = distance?.ToCore(),
            Loss = loss,
            Iterations = iterations,
            Seed = seed,
            ModuleVersion = moduleVersion,
            Prices = Prices(centroids),
        };
    }

    /// <summary>The centroids' sizes when every one has a size, else null (unknown, as the file they came from said).</summary>
    private static long[]? Sizes(IReadOnlyList<KMeansCentroid> centroids) =>
        centroids.All(c => c.Size is not null) ? centroids.Select(c => c.Size!.Value).ToArray() : null;

    /// <summary>The centroids' partition prices when every one has a price (a balanced model's), else null.</summary>
    public static float[]? Prices(IReadOnlyList<KMeansCentroid> centroids) =>
        centroids.All(c => c.Price is not null) ? centroids.Select(c => c.Price!.Value).ToArray() : null;
}
