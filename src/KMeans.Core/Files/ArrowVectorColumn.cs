using Apache.Arrow;
using Apache.Arrow.Types;

namespace KMeans.Core.Files;

/// <summary>
/// The column of an Arrow schema that holds the vectors: a FixedSizeList, List or LargeList of float16, float32 or
/// float64. Chosen by name, or as the schema's only column of such a type.
/// </summary>
internal sealed class ArrowVectorColumn
{
    private ArrowVectorColumn(int index, Field field, ArrowTypeId elementType, int? fixedSize)
    {
        Index = index;
        Field = field;
        ElementType = elementType;
        FixedSize = fixedSize;
    }

    public int Index { get; }

    public Field Field { get; }

    public ArrowTypeId ElementType { get; }

    /// <summary>The list size of a FixedSizeList column (the dimension); null for variable-length lists.</summary>
    public int? FixedSize { get; }

    public static ArrowVectorColumn Select(Schema schema, string? name, string path)
    {
        IReadOnlyList<Field> fields = schema.FieldsList;
        if (name is not null)
        {
            int[] named = ColumnNameMatch.Find(Enumerable.Range(0, fields.Count), i => fields[i].Name, name);
            if (named.Length == 0)
                throw new KMeansException(KMeansErrorKind.ColumnNotFound,
                    $"'{path}' has no column named '{name}'; its columns are {Describe(fields)}.", name);
            if (named.Length > 1)
            {
                Field[] matched = named.Select(i => fields[i]).ToArray();
                throw ColumnNameMatch.Ambiguous(path, name, matched.Select(field => field.Name).ToArray(), Describe(matched));
            }
            int index = named[0];
            return TryCreate(index, fields[index]) ?? throw VectorFileErrors.Unsupported(path,
                $"column '{fields[index].Name}' has type {fields[index].DataType.Name}{ElementName(fields[index].DataType)}, " +
                "but a vector column must be a FixedSizeList or List of float16, float32 or float64.");
        }

        var candidates = new List<ArrowVectorColumn>();
        for (int i = 0; i < fields.Count; i++)
        {
            if (TryCreate(i, fields[i]) is { } candidate)
                candidates.Add(candidate);
        }
        return candidates.Count switch
        {
            1 => candidates[0],
            0 => throw VectorFileErrors.Unsupported(path,
                $"it has no vector column (a FixedSizeList or List of float16, float32 or float64); its columns are {Describe(fields)}."),
            _ => throw new KMeansException(KMeansErrorKind.AmbiguousColumn,
                $"'{path}' has {candidates.Count} vector columns ({string.Join(", ", candidates.Select(c => $"'{c.Field.Name}'"))}); " +
                (candidates.DistinctBy(c => c.Field.Name).Count() == candidates.Count
                    ? "name the one to use."
                    : "some share a name, which cannot tell them apart: name one whose name is its own, or rename them where the file is written."),
                path),
        };
    }

    /// <summary>
    /// The names <see cref="Select"/> accepts, in schema order: of the columns that can hold vectors, those whose name
    /// no other column shares.
    /// </summary>
    public static IReadOnlyList<string> VectorColumnNames(Schema schema) =>
        schema.FieldsList.Where(field => TryCreate(0, field) is not null)
            .Select(field => field.Name)
            .Where(name => schema.FieldsList.Count(other => string.Equals(other.Name, name, StringComparison.Ordinal)) == 1)
            .ToArray();

    private static ArrowVectorColumn? TryCreate(int index, Field field)
    {
        (IArrowType? element, int? size) = field.DataType switch
        {
            FixedSizeListType fixedList => (fixedList.ValueDataType, fixedList.ListSize),
            ListType list => (list.ValueDataType, (int?)null),
            LargeListType largeList => (largeList.ValueDataType, (int?)null),
            _ => ((IArrowType?)null, (int?)null),
        };
        return element?.TypeId is ArrowTypeId.HalfFloat or ArrowTypeId.Float or ArrowTypeId.Double
            ? new ArrowVectorColumn(index, field, element.TypeId, size)
            : null;
    }

    private static string ElementName(IArrowType type) =>
        type is NestedType { Fields.Count: 1 } nested ? $"<{nested.Fields[0].DataType.Name}>" : "";

    private static string Describe(IReadOnlyList<Field> fields) =>
        fields.Count == 0
            ? "none"
            : string.Join(", ", fields.Select(f => $"'{f.Name}' ({f.DataType.Name}{ElementName(f.DataType)})"));
}
