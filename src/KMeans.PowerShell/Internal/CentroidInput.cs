using System.Management.Automation;
using KMeans.Core;
using KMeans.Core.Files;

namespace KMeans.PowerShell.Internal;

/// <summary>
/// Centroids given to a parameter (-InitialCentroid, -Centroid): KMeansCentroid objects, a KMeansModel, the path of a
/// centroid file (or its FileInfo), or anything holding vectors (float[]/double[] arrays, objects with a Vector
/// property), read in the order given.
/// </summary>
internal sealed class CentroidInput
{
    private CentroidInput(List<float[]> vectors, KMeansDistance? distance)
    {
        Vectors = vectors;
        Distance = distance;
    }

    public IReadOnlyList<float[]> Vectors { get; }

    /// <summary>The metric the centroids were trained with, when a model says so.</summary>
    public KMeansDistance? Distance { get; }

    public static CentroidInput? Read(PSCmdlet cmdlet, object[] items, out ErrorRecord? error)
    {
        error = null;
        var vectors = new List<float[]>();
        KMeansDistance? distance = null;
        // A single float[] bound to object[] arrives as its numbers: it is one centroid.
        if (VectorConverter.IsNumberList(items))
            items = [items];
        foreach (object? item in items)
        {
            switch (VectorConverter.Unwrap(item))
            {
                case KMeansModel model:
                    vectors.AddRange(model.Centroids.Select(c => (float[])c.Vector.Clone()));
                    distance = model.Distance;
                    break;
                case KMeansCentroid centroid:
                    vectors.Add((float[])centroid.Vector.Clone());
                    break;
                case string or FileInfo:
                    string path = VectorConverter.Unwrap(item) is FileInfo file ? file.FullName : (string)VectorConverter.Unwrap(item)!;
                    CentroidSet? set = ReadFile(cmdlet, path, out error);
                    if (set is null)
                        return null;
                    vectors.AddRange(CentroidSets.ToCentroids(set).Select(c => c.Vector));
                    distance = set.Distance.ToPublic();
                    break;
                default:
                    if (!VectorConverter.TryConvert(item, "Vector", out float[]? vector, out string? problem))
                    {
                        error = KMeansErrors.InvalidCentroid(vectors.Count, item, problem);
                        return null;
                    }
                    vectors.Add(vector);
                    break;
            }
        }
        if (vectors.Count == 0)
        {
            error = KMeansErrors.InvalidCentroid(0, null, "no centroids were given.");
            return null;
        }
        return new CentroidInput(vectors, distance);
    }

    private static CentroidSet? ReadFile(PSCmdlet cmdlet, string path, out ErrorRecord? error)
    {
        IReadOnlyList<string> files = ProviderPaths.ResolveExisting(cmdlet, path, literal: false, out error);
        if (error is not null)
            return null;
        if (files.Count > 1)
        {
            error = KMeansErrors.AmbiguousPath(path, files.Count);
            return null;
        }
        try
        {
            return CentroidFile.Read(files[0]);
        }
        catch (KMeansException e)
        {
            error = KMeansErrors.FromException(e);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = KMeansErrors.FileUnreadable(files[0], e);
            return null;
        }
    }
}
