using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using KMeans.Core.Distance;

namespace KMeans.Core.Files;

/// <summary>
/// Centroids as one JSON object: the training parameters, extra metadata, and a <c>centroids</c> array of
/// <c>{ "clusterId", "size", "vector" }</c>, with a <c>"price"</c> in each when a balanced training learned partition
/// prices. Numbers are the shortest text that round-trips; each vector is written on one line so the file stays
/// readable. Reading requires only <c>centroids</c> with a <c>vector</c> in each entry, or
/// accepts a bare array of arrays of numbers.
/// </summary>
internal static partial class JsonCentroidFormat
{
    private const string KProperty = "k";
    private const string DimensionProperty = "dimension";
    private const string DistanceProperty = "distance";
    private const string LossProperty = "loss";
    private const string IterationsProperty = "iterations";
    private const string SeedProperty = "seed";
    private const string ModuleVersionProperty = "moduleVersion";
    private const string MetadataProperty = "metadata";
    private const string CentroidsProperty = "centroids";
    private const string ClusterIdProperty = "clusterId";
    private const string SizeProperty = "size";
    private const string VectorProperty = "vector";
    private const string PriceProperty = "price";

    public static void Write(Stream stream, CentroidSet set, CancellationToken cancellationToken)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteNumber(KProperty, set.K);
        writer.WriteNumber(DimensionProperty, set.Dimension);
        if (set.Distance is DistanceMetric distance)
            writer.WriteString(DistanceProperty, InvariantText.DistanceName(distance));
        else
            writer.WriteNull(DistanceProperty);
        WriteNullable(writer, LossProperty, set.Loss);
        WriteNullable(writer, IterationsProperty, set.Iterations);
        WriteNullable(writer, SeedProperty, set.Seed);
        writer.WriteString(ModuleVersionProperty, set.ModuleVersion);
        writer.WriteStartObject(MetadataProperty);
        foreach ((string key, string value) in set.Metadata)
            writer.WriteString(key, value);
        writer.WriteEndObject();

        writer.WriteStartArray(CentroidsProperty);
        var vector = new StringBuilder();
        for (int cluster = 0; cluster < set.K; cluster++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            writer.WriteStartObject();
            writer.WriteNumber(ClusterIdProperty, cluster);
            if (set.Sizes is { } sizes)
                writer.WriteNumber(SizeProperty, sizes[cluster]);
            if (set.Prices is { } prices)
            {
                writer.WritePropertyName(PriceProperty);
                writer.WriteRawValue(InvariantText.Format(prices[cluster]), skipInputValidation: true);
            }
            vector.Clear().Append('[');
            foreach (float value in set.Centroid(cluster))
                vector.Append(InvariantText.Format(value)).Append(',');
            vector[^1] = ']';
            writer.WritePropertyName(VectorProperty);
            writer.WriteRawValue(vector.ToString(), skipInputValidation: true);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static CentroidSet Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        using JsonDocument document = Parse(path, stream);
        JsonElement root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Array)
            return ReadPlainArray(path, root);
        if (root.ValueKind != JsonValueKind.Object)
            throw Invalid(path, $"the JSON document is {Article(root.ValueKind)}; expected an object with a '{CentroidsProperty}' array, or an array of arrays of numbers.");
        if (!root.TryGetProperty(CentroidsProperty, out JsonElement centroids) || centroids.ValueKind != JsonValueKind.Array)
            throw Invalid(path, $"the JSON object has no '{CentroidsProperty}' array.");

        var rows = new CentroidRowCollector(path, row => $"{CentroidsProperty}[{row}]");
        float[] centroid = [];
        int row = 0;
        foreach (JsonElement entry in centroids.EnumerateArray())
        {
            string where = $"{CentroidsProperty}[{row}]";
            if (entry.ValueKind != JsonValueKind.Object)
                throw Invalid(path, $"{where} is {Article(entry.ValueKind)}; expected an object with a '{VectorProperty}' array.");
            if (!entry.TryGetProperty(VectorProperty, out JsonElement vector) || vector.ValueKind != JsonValueKind.Array)
                throw Invalid(path, $"{where} has no '{VectorProperty}' array.");
            centroid = Numbers(path, vector, $"{where}.{VectorProperty}", centroid);

            int? clusterId = entry.TryGetProperty(ClusterIdProperty, out JsonElement id) ? Int32(path, id, $"{where}.{ClusterIdProperty}") : null;
            long? size = Optional(entry, SizeProperty) is JsonElement count ? Int64(path, count, $"{where}.{SizeProperty}") : null;
            float? price = Optional(entry, PriceProperty) is JsonElement given ? Single(path, given, $"{where}.{PriceProperty}") : null;
            rows.Add(clusterId, size, centroid, price);
            row++;
        }

        (int k, int dimension, float[] values, long[]? sizes, float[]? prices) = rows.Build();
        ExpectCount(path, root, KProperty, k, "centroids");
        ExpectCount(path, root, DimensionProperty, dimension, "values per centroid");
        var set = new CentroidSet(k, dimension, values, sizes)
        {
            Distance = Optional(root, DistanceProperty) is JsonElement distance ? Distance(path, distance) : null,
            Loss = Optional(root, LossProperty) is JsonElement loss ? Double(path, loss, LossProperty) : null,
            Iterations = Optional(root, IterationsProperty) is JsonElement iterations ? Int32(path, iterations, IterationsProperty) : null,
            Seed = Optional(root, SeedProperty) is JsonElement seed ? Int32(path, seed, SeedProperty) : null,
            ModuleVersion = Optional(root, ModuleVersionProperty) is JsonElement version ? String(path, version, ModuleVersionProperty) : null,
            Prices = prices,
        };
        if (Optional(root, MetadataProperty) is JsonElement metadata)
            ReadMetadata(path, metadata, set.Metadata);
        return set;
    }

    /// <summary>Centroids as a bare array of arrays, as json.dump(array.tolist()) writes them.</summary>
    private static CentroidSet ReadPlainArray(string path, JsonElement root)
    {
        var rows = new CentroidRowCollector(path, row => $"[{row}]");
        float[] centroid = [];
        int row = 0;
        foreach (JsonElement entry in root.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Array)
                throw Invalid(path, $"[{row}] is {Article(entry.ValueKind)}; expected an array of numbers.");
            centroid = Numbers(path, entry, $"[{row}]", centroid);
            rows.Add(null, null, centroid);
            row++;
        }
        (int k, int dimension, float[] values, long[]? sizes, _) = rows.Build();
        return new CentroidSet(k, dimension, values, sizes);
    }

    /// <summary>The numbers of a JSON array, in <paramref name="buffer"/> when it has the right length.</summary>
    private static float[] Numbers(string path, JsonElement array, string where, float[] buffer)
    {
        if (buffer.Length != array.GetArrayLength())
            buffer = new float[array.GetArrayLength()];
        int j = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            buffer[j] = item.ValueKind == JsonValueKind.Number && InvariantText.TryParseValue(item.GetRawText(), out float value)
                ? value
                : throw Invalid(path, $"{where}[{j}] is {item.GetRawText()}; expected a number.");
            j++;
        }
        return buffer;
    }

    private static JsonDocument Parse(string path, Stream stream)
    {
        try
        {
            return JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            // The parser's text ends with its own 0-based position; the message gives it 1-based, as editors count.
            string reason = TrailingPosition().Replace(e.Message, "");
            string where = e.LineNumber is long line && e.BytePositionInLine is long position
                ? $" at line {line + 1}, byte {position + 1}"
                : "";
            throw Invalid(path, $"it is not valid JSON{where}: {reason}", e);
        }
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is double number)
            writer.WriteNumber(name, number);
        else
            writer.WriteNull(name);
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is int number)
            writer.WriteNumber(name, number);
        else
            writer.WriteNull(name);
    }

    /// <summary>The property's value, or null when it is missing or JSON null.</summary>
    private static JsonElement? Optional(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static void ExpectCount(string path, JsonElement root, string name, int actual, string what)
    {
        if (Optional(root, name) is JsonElement element && Int32(path, element, name) != actual)
            throw Invalid(path, $"'{name}' is {element.GetRawText()}, but the file holds {actual} {what}.");
    }

    private static void ReadMetadata(string path, JsonElement metadata, IDictionary<string, string> target)
    {
        if (metadata.ValueKind != JsonValueKind.Object)
            throw Invalid(path, $"'{MetadataProperty}' is {Article(metadata.ValueKind)}; expected an object of strings.");
        foreach (JsonProperty property in metadata.EnumerateObject())
            target[property.Name] = String(path, property.Value, $"{MetadataProperty}.{property.Name}");
    }

    private static DistanceMetric Distance(string path, JsonElement element) =>
        element.ValueKind == JsonValueKind.String && InvariantText.TryParseDistance(element.GetString()!, out DistanceMetric distance)
            ? distance
            : throw Invalid(path, $"'{DistanceProperty}' is {element.GetRawText()}; expected {InvariantText.DistanceNames}.");

    private static double Double(string path, JsonElement element, string where) =>
        element.ValueKind == JsonValueKind.Number && InvariantText.TryParse(element.GetRawText(), out double value)
            ? value
            : throw Invalid(path, $"'{where}' is {element.GetRawText()}; expected a number.");

    private static float Single(string path, JsonElement element, string where) =>
        element.ValueKind == JsonValueKind.Number && InvariantText.TryParse(element.GetRawText(), out float value)
            ? value
            : throw Invalid(path, $"'{where}' is {element.GetRawText()}; expected a number.");

    private static int Int32(string path, JsonElement element, string where) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out int value)
            ? value
            : throw Invalid(path, $"'{where}' is {element.GetRawText()}; expected a 32-bit integer.");

    private static long Int64(string path, JsonElement element, string where) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out long value)
            ? value
            : throw Invalid(path, $"'{where}' is {element.GetRawText()}; expected an integer.");

    private static string String(string path, JsonElement element, string where) =>
        element.ValueKind == JsonValueKind.String
            ? element.GetString()!
            : throw Invalid(path, $"'{where}' is {element.GetRawText()}; expected a string.");

    private static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static KMeansException Invalid(string path, string problem, Exception? inner = null) =>
        VectorFileErrors.Invalid(path, problem, inner);

    /// <summary>The parser's own position at the end of its message, and its advice to the programmer before it.</summary>
    [GeneratedRegex(@"(\s*Change the reader options\.)?\s*(Path: \S*\s*\|\s*)?LineNumber: \d+ \| BytePositionInLine: \d+\.$")]
    private static partial Regex TrailingPosition();
}
