using System.Management.Automation;
using KMeans.Core.Files;
using KMeans.Core;
using KMeans.PowerShell.Errors;
using KMeans.PowerShell.Mapping;
using KMeans.PowerShell.Paths;

namespace KMeans.PowerShell.Binding;

/// <summary>
/// Centroids given to a parameter (-InitialCentroid, -Centroid): KMeansCentroid objects, a KMeansModel, the path of a
/// centroid file (or its FileInfo or PathInfo), or anything holding vectors (float[]/double[] arrays, objects with a
/// Vector property). A model or a file is a whole set of centroids and comes alone; KMeansCentroid objects take the
/// place their ClusterId names (0 to K − 1, each once), so that sorting or filtering them never renumbers the
/// partitions; plain vectors are numbered in the order given.
/// </summary>
internal sealed class CentroidInput
{
    private CentroidInput(List<float[]> vectors, KMeansDistance? distance, List<float?> prices, string? file)
    {
        File = file;
        Vectors = vectors;
        Distance = distance;
        Prices = prices.All(price => price is not null) ? prices.Select(price => price!.Value).ToArray() : null;
    }

    public IReadOnlyList<float[]> Vectors { get; }

    /// <summary>The file the centroids were read from, for messages; null when they came as objects.</summary>
    public string? File { get; }

    /// <summary>The metric the centroids were trained with, when a model, a centroid or a file records it.</summary>
    public KMeansDistance? Distance { get; }

    /// <summary>The partition prices of a balanced model, when every centroid given has one; else null.</summary>
    public float[]? Prices { get; }

    /// <summary>
    /// Refuses centroids trained with another metric than <paramref name="distance"/>, unless the user gave that
    /// metric explicitly: then the user's choice wins.
    /// </summary>
    public ErrorRecord? CheckDistance(KMeansDistance distance, bool givenExplicitly, string parameterName) =>
        Distance is KMeansDistance recorded && recorded != distance && !givenExplicitly
            ? KMeansErrors.DistanceMismatch(parameterName, recorded, distance)
            : null;

    public static CentroidInput? Read(PSCmdlet cmdlet, object[] items, out ErrorRecord? error)
    {
        error = null;
        var vectors = new List<float[]>();
        var prices = new List<float?>();
        KMeansDistance? distance = null;
        void Record(KMeansDistance? recorded, object? source, ref ErrorRecord? conflict)
        {
            if (recorded is null)
                return;
            if (distance is KMeansDistance earlier && earlier != recorded)
                conflict ??= KMeansErrors.InvalidCentroid(vectors.Count, source,
                    $"it was trained with {recorded}, but the centroids before it with {earlier}; give centroids of one model.");
            distance = recorded;
        }
        // A single float[] bound to object[] arrives as its numbers: it is one centroid.
        if (VectorConverter.IsNumberList(items))
            items = [items];
        items = items.SelectMany(item => CentroidsOfJsonModel(item) ?? [item]).ToArray();
        // Unwrapped once: a deserialized model becomes a live one here, which takes a while for a large one.
        object?[] given = items.Select(VectorConverter.UnwrapLive).ToArray();
        if (items.Length > 1 && given.FirstOrDefault(item => item is KMeansModel or string or FileInfo or PathInfo) is { } whole)
        {
            // A path that names no file says so first: a mistyped name is likelier than two sets of centroids.
            foreach (object? item in given)
            {
                if (item is string path
                    && ProviderPaths.ResolveExisting(cmdlet, path, ProviderPaths.NamesExistingFile(cmdlet, path), out error) is [])
                    return null;
            }
            error = KMeansErrors.InvalidCentroid(0, whole,
                "a model or a centroid file holds a whole set of centroids and must be given alone, not with other models, files or centroids.");
            return null;
        }
        var clusterIds = new List<int>();
        string? file = null;
        for (int at = 0; at < items.Length; at++)
        {
            object? item = items[at];
            switch (given[at])
            {
                case KMeansModel model:
                    Record(model.Distance, model, ref error);
                    vectors.AddRange(model.Centroids.Select(c => c.Vector));
                    prices.AddRange(model.Centroids.Select(c => c.Price));
                    break;
                case KMeansCentroid centroid:
                    Record(centroid.Distance, centroid, ref error);
                    vectors.Add(centroid.Vector);
                    prices.Add(centroid.Price);
                    clusterIds.Add(centroid.ClusterId);
                    break;
                case string or FileInfo or PathInfo:
                    // A FileInfo or a PathInfo (Resolve-Path, Get-Location) names one path: its brackets are part of the
                    // name, not a wildcard; so does a string naming an existing file ('c[1].arrow'), else it is a
                    // wildcard that must match one file.
                    string path = given[at] switch { FileInfo info => info.FullName, PathInfo resolved => resolved.Path, _ => (string)given[at]! };
                    bool literal = given[at] is FileInfo or PathInfo || ProviderPaths.NamesExistingFile(cmdlet, path);
                    CentroidSet? set = ReadFile(cmdlet, path, literal, out file, out error);
                    if (set is null)
                        return null;
                    Record(set.Distance?.ToPublic(), path, ref error);
                    KMeansCentroid[] fromFile = CentroidSets.ToCentroids(set);
                    vectors.AddRange(fromFile.Select(c => c.Vector));
                    prices.AddRange(fromFile.Select(c => c.Price));
                    break;
                default:
                    if (DeserializedOutput.Problem(item) is { } lost)
                    {
                        error = KMeansErrors.InvalidCentroid(vectors.Count, item, lost);
                        return null;
                    }
                    if (!VectorConverter.TryConvert(item, "Vector", out float[]? vector, out string? problem,
                            "KMeansCentroid objects, a model, or the path of a centroid file",
                            singleNumber: "a centroid is a float[] or double[] array, a KMeansCentroid object, a model, or the path of a centroid file."))
                    {
                        error = KMeansErrors.InvalidCentroid(vectors.Count, item, problem);
                        return null;
                    }
                    // A centroid that went through JSON (ConvertTo-Json, ConvertFrom-Json) keeps its ClusterId, metric
                    // and price as properties: taken as a KMeansCentroid's, so that it is not renumbered by position.
                    if (ClusterIdOf(item) is int clusterId)
                    {
                        Record(MetricNamed(item), item, ref error);
                        clusterIds.Add(clusterId);
                        prices.Add(Property<float>(item, nameof(KMeansCentroid.Price)));
                    }
                    else
                    {
                        prices.Add(null);
                    }
                    vectors.Add(vector);
                    break;
            }
            if (error is not null)
                return null;
        }
        if (vectors.Count == 0)
        {
            error = KMeansErrors.InvalidCentroid(0, null, "no centroids were given.");
            return null;
        }
        int empty = vectors.FindIndex(vector => vector.Length == 0);
        if (empty >= 0)
        {
            error = KMeansErrors.InvalidCentroid(empty, vectors[empty], "it holds no values, where a centroid holds one for each dimension.");
            return null;
        }
        if (clusterIds.Count > 0 && !PlaceByClusterId(items, clusterIds, vectors, prices, out error))
            return null;
        return new CentroidInput(vectors, distance, prices, file);
    }

    /// <summary>
    /// The centroids of a model that went through JSON (ConvertTo-Json, then ConvertFrom-Json): a plain object whose
    /// Centroids are plain objects with a ClusterId each, which keep their metric and price as centroids that went
    /// through JSON do. Null for anything else, a model deserialized by PowerShell (Clixml, jobs) included: that one
    /// becomes a live model.
    /// </summary>
    private static object[]? CentroidsOfJsonModel(object? item) =>
        item is PSObject { BaseObject: PSCustomObject } bag
            && !bag.TypeNames.Any(name => name.StartsWith("Deserialized.", StringComparison.Ordinal))
            && PropertyValue(bag, nameof(KMeansModel.Centroids)) is object[] { Length: > 0 } centroids
            && centroids.All(centroid => ClusterIdOf(centroid) is not null)
            ? centroids
            : null;

    /// <summary>A property of a plain object as <typeparamref name="T"/>, or null when it has none or holds something else.</summary>
    private static T? Property<T>(object? item, string name) where T : struct =>
        PropertyValue(item, name) is { } value
            && LanguagePrimitives.TryConvertTo(value, System.Globalization.CultureInfo.InvariantCulture, out T converted)
            ? converted
            : null;

    private static object? PropertyValue(object? item, string name) =>
        item is null ? null : VectorConverter.Unwrap(PSObject.AsPSObject(item).Properties[name]?.Value);

    /// <summary>A plain object's ClusterId when it is a whole number (an integer, or a string or number of one); else null.</summary>
    private static int? ClusterIdOf(object? item) => PropertyValue(item, nameof(KMeansCentroid.ClusterId)) switch
    {
        int id => id,
        long id and >= int.MinValue and <= int.MaxValue => (int)id,
        double id when id == Math.Floor(id) && Math.Abs(id) <= int.MaxValue => (int)id,
        string text when int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int id) => id,
        _ => null,
    };

    /// <summary>
    /// A plain object's metric when its Distance names one ("Cosine", as ConvertTo-Json writes it): a number there is a
    /// row's distance (Get-KMeansAssignment's output), not a metric.
    /// </summary>
    private static KMeansDistance? MetricNamed(object? item) =>
        PropertyValue(item, nameof(KMeansCentroid.Distance)) is string name
            && Enum.GetNames<KMeansDistance>().FirstOrDefault(known => string.Equals(known, name, StringComparison.OrdinalIgnoreCase)) is { } named
            ? Enum.Parse<KMeansDistance>(named)
            : null;

    /// <summary>
    /// Puts KMeansCentroid objects at the place their ClusterId names; refuses them mixed with plain vectors (whose
    /// place could only be a guess) and ids that are not 0 to K − 1, each once.
    /// </summary>
    private static bool PlaceByClusterId(object[] items, List<int> clusterIds, List<float[]> vectors, List<float?> prices,
        out ErrorRecord? error)
    {
        error = null;
        if (clusterIds.Count != vectors.Count)
        {
            object? plain = items.First(item => VectorConverter.UnwrapLive(item) is not KMeansCentroid && ClusterIdOf(item) is null);
            error = KMeansErrors.InvalidCentroid(Array.IndexOf(items, plain), plain,
                "KMeansCentroid objects take the place their ClusterId names, so they cannot be mixed with plain vectors; give one kind.");
            return false;
        }
        int[] order = Enumerable.Range(0, clusterIds.Count).OrderBy(at => clusterIds[at]).ToArray();
        for (int place = 0; place < order.Length; place++)
        {
            if (clusterIds[order[place]] != place)
            {
                error = KMeansErrors.InvalidCentroid(order[place], items[order[place]],
                    $"the cluster ids must be 0 to {order.Length - 1}, each once, but {MissingOrRepeated(clusterIds, place)}.");
                return false;
            }
        }
        float[][] byId = order.Select(at => vectors[at]).ToArray();
        float?[] pricesById = order.Select(at => prices[at]).ToArray();
        vectors.Clear();
        vectors.AddRange(byId);
        prices.Clear();
        prices.AddRange(pricesById);
        return true;
    }

    /// <summary>Why the sorted ids break at <paramref name="place"/>: a repeated id, a negative one, or a gap.</summary>
    internal static string MissingOrRepeated(IReadOnlyList<int> clusterIds, int place)
    {
        IGrouping<int, int>? repeated = clusterIds.GroupBy(id => id).Where(ids => ids.Count() > 1).MinBy(ids => ids.Key);
        if (repeated is not null)
            return $"ClusterId {repeated.Key} is given {repeated.Count()} times";
        int least = clusterIds.Min();
        return least < 0 ? $"ClusterId {least} is negative" : $"no centroid has ClusterId {place}";
    }

    private static CentroidSet? ReadFile(PSCmdlet cmdlet, string path, bool literal, out string? file, out ErrorRecord? error)
    {
        file = null;
        IReadOnlyList<string> files = ProviderPaths.ResolveExisting(cmdlet, path, literal, out error);
        if (error is not null)
            return null;
        if (files.Count > 1)
        {
            error = KMeansErrors.AmbiguousPath(path, files.Count);
            return null;
        }
        file = files[0];
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
