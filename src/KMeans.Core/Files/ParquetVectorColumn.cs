using Parquet.Schema;

namespace KMeans.Core.Files;

/// <summary>
/// The Parquet column that holds the vectors: a top-level list of float or double (Arrow's FixedSizeList is stored
/// this way too) or a legacy repeated float/double field. Chosen by name, or as the schema's only such column.
/// </summary>
internal sealed class ParquetVectorColumn
{
    private ParquetVectorColumn(string name, DataField leaf)
    {
        Name = name;
        Leaf = leaf;
        int maxDefinition = leaf.MaxDefinitionLevel;
        ElementLevel = leaf.IsNullable ? maxDefinition - 1 : maxDefinition;
    }

    public string Name { get; }

    /// <summary>The leaf field whose values and levels are read.</summary>
    public DataField Leaf { get; }

    /// <summary>
    /// Definition level from which an entry is an element of a present list (a value at the maximum level, a null
    /// element below it); one less means an empty list, anything lower a null row.
    /// </summary>
    public int ElementLevel { get; }

    public static ParquetVectorColumn Select(ParquetSchema schema, string? name, string path)
    {
        IReadOnlyList<Field> fields = schema.Fields;
        if (name is not null)
        {
            Field[] named = ColumnNameMatch.Find(fields, f => f.Name, name);
            if (named.Length == 0)
                throw new KMeansException(KMeansErrorKind.ColumnNotFound,
                    $"'{path}' has no column named '{name}'; its columns are {Describe(fields)}.", name);
            if (named.Length > 1)
                throw ColumnNameMatch.Ambiguous(path, name, named.Select(f => f.Name).ToArray(), Describe(named));
            Field field = named[0];
            return TryCreate(field) ?? throw VectorFileErrors.Unsupported(path,
                $"column '{field.Name}' is {Describe(field)}, but a vector column must be a list of float or double.");
        }

        var candidates = fields.Select(TryCreate).OfType<ParquetVectorColumn>().ToList();
        return candidates.Count switch
        {
            1 => candidates[0],
            0 => throw VectorFileErrors.Unsupported(path,
                $"it has no vector column (a list of float or double); its columns are {Describe(fields)}."),
            _ => throw new KMeansException(KMeansErrorKind.AmbiguousColumn,
                $"'{path}' has {candidates.Count} vector columns ({string.Join(", ", candidates.Select(c => $"'{c.Name}'"))}); " +
                (candidates.DistinctBy(c => c.Name).Count() == candidates.Count
                    ? "name the one to use."
                    : "some share a name, which cannot tell them apart: name one whose name is its own, or rename them where the file is written."),
                path),
        };
    }

    /// <summary>
    /// The names <see cref="Select"/> accepts, in schema order: of the top-level columns that can hold vectors, those
    /// whose name no other top-level column shares.
    /// </summary>
    public static IReadOnlyList<string> VectorColumnNames(ParquetSchema schema) =>
        schema.Fields.Where(field => TryCreate(field) is not null)
            .Select(field => field.Name)
            .Where(name => schema.Fields.Count(other => string.Equals(other.Name, name, StringComparison.Ordinal)) == 1)
            .ToArray();

    private static ParquetVectorColumn? TryCreate(Field field)
    {
        DataField? leaf = field switch
        {
            ListField { Item: DataField item } => item,
            DataField { IsArray: true } array => array,
            _ => null,
        };
        return leaf is { MaxRepetitionLevel: 1 } && (leaf.ClrType == typeof(float) || leaf.ClrType == typeof(double))
            ? new ParquetVectorColumn(field.Name, leaf)
            : null;
    }

    /// <summary>A field's type in Parquet's words, for messages.</summary>
    internal static string Describe(Field field) => field switch
    {
        ListField list => $"a list of {Describe(list.Item)}",
        DataField { IsArray: true } array => $"a repeated {TypeName(array.ClrType)}",
        DataField data => TypeName(data.ClrType),
        _ => field.SchemaType.ToString().ToLowerInvariant(),
    };

    /// <summary>Parquet's names for the types Parquet.Net maps its columns to, not the .NET ones.</summary>
    private static string TypeName(Type type) =>
        type == typeof(float) ? "float"
        : type == typeof(double) ? "double"
        : type == typeof(int) ? "int32"
        : type == typeof(long) ? "int64"
        : type == typeof(short) ? "int16"
        : type == typeof(sbyte) ? "int8"
        : type == typeof(byte) ? "uint8"
        : type == typeof(bool) ? "boolean"
        : type == typeof(string) || type == typeof(ReadOnlyMemory<char>) ? "string"
        : type == typeof(byte[]) || type == typeof(ReadOnlyMemory<byte>) ? "binary"
        : type == typeof(decimal) ? "decimal"
        : type == typeof(DateTime) || type == typeof(DateTimeOffset) ? "timestamp"
        : type == typeof(Half) ? "float16"
        : type.Name;

    private static string Describe(IReadOnlyList<Field> fields) =>
        fields.Count == 0 ? "none" : string.Join(", ", fields.Select(f => $"'{f.Name}' ({Describe(f)})"));
}
