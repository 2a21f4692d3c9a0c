using System.Text;

namespace KMeans.Core.Files;

/// <summary>
/// Centroids as CSV (RFC 4180): the header <c>cluster_id,size,c0,…,c{d−1}</c> (no <c>size</c> when the sizes are
/// unknown), then one line per centroid, CRLF line
/// ends, invariant culture and the shortest text that round-trips each float32. Reading accepts any header whose
/// columns are components plus optional <c>cluster_id</c> and <c>size</c> (see <see cref="CsvLayout"/> for pandas'
/// files and the names refused), or no header; LF or CRLF; commas or (as
/// numpy.savetxt writes) spaces; skips blank and '#' lines, unquotes quoted cells, and names the row and column of any
/// cell it cannot use. The metric is not recorded: a comment line would break pandas, polars and DuckDB.
/// </summary>
internal static class CsvCentroidFormat
{
    private const string ClusterIdHeader = "cluster_id";
    private const string SizeHeader = "size";
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static void Write(Stream stream, CentroidSet set, CancellationToken cancellationToken)
    {
        using var writer = new StreamWriter(stream, Utf8NoBom, bufferSize: 1 << 16, leaveOpen: true) { NewLine = "\r\n" };
        writer.Write(ClusterIdHeader);
        if (set.Sizes is not null)
        {
            writer.Write(',');
            writer.Write(SizeHeader);
        }
        for (int j = 0; j < set.Dimension; j++)
        {
            writer.Write(',');
            writer.Write(ComponentHeader(j));
        }

        writer.WriteLine();
        for (int cluster = 0; cluster < set.K; cluster++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            writer.Write(InvariantText.Format(cluster));
            if (set.Sizes is { } sizes)
            {
                writer.Write(',');
                writer.Write(InvariantText.Format(sizes[cluster]));
            }
            foreach (float value in set.Centroid(cluster))
            {
                writer.Write(',');
                writer.Write(InvariantText.Format(value));
            }

            writer.WriteLine();
        }
    }

    public static CentroidSet Read(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        int lineNumber = 0;
        CsvLayout? layout = null;
        float[] centroid = [];
        var lineOfRow = new List<int>();
        var rows = new CentroidRowCollector(path, row => $"row {row} (line {lineOfRow[row]})");
        while (reader.ReadLine() is string line)
        {
            lineNumber++;
            // numpy.savetxt writes its header and footer as lines starting with '#'.
            if (line.Trim().Length == 0 || line.StartsWith('#'))
                continue;
            List<string> cells = SplitLine(path, line, lineNumber);
            if (layout is null)
            {
                layout = CsvLayout.FromFirstLine(path, cells, lineNumber);
                centroid = new float[layout.ComponentCount];
                if (layout.HasHeader)
                    continue;
            }

            int row = lineOfRow.Count;
            string where = $"row {row} (line {lineNumber})";
            if (cells.Count != layout.Columns.Count)
                throw Invalid(path, $"{where} has {cells.Count} cells, but {(layout.HasHeader ? "the header" : "the first row")} has {layout.Columns.Count}.");
            int? clusterId = null;
            long? size = null;
            int j = 0;
            for (int cell = 0; cell < cells.Count; cell++)
            {
                string text = cells[cell].Trim();
                // Without a header every column is a component, named by its index as the other centroid messages do.
                string column = layout.HasHeader ? $"column '{layout.Columns[cell]}'" : layout.Columns[cell];
                if (cell == layout.SkippedIndex)
                    continue;
                if (cell == layout.ClusterIdIndex)
                    clusterId = InvariantText.TryParse(text, out int id) ? id : throw NotANumber(path, where, column, text, "an integer");
                else if (cell == layout.SizeIndex)
                    size = text.Length == 0 ? null : InvariantText.TryParse(text, out long count) ? count : throw NotANumber(path, where, column, text, "an integer");
                else
                    centroid[j++] = InvariantText.TryParseValue(text, out float value) ? value : throw NotANumber(path, where, column, text, "a number");
            }

            lineOfRow.Add(lineNumber);
            rows.Add(clusterId, size, centroid);
        }

        if (layout is null)
            throw Invalid(path, "it holds only blank or comment lines; expected one line per centroid.");
        (int k, int dimension, float[] values, long[]? sizes, _) = rows.Build();
        return new CentroidSet(k, dimension, values, sizes);
    }

    private static string ComponentHeader(int component) => "c" + InvariantText.Format(component);

    /// <summary>
    /// Which cells of a line are what: with a header, <c>cluster_id</c> (or <c>ClusterId</c>) and <c>size</c>, in any
    /// case and both optional, are the extras and every other column a component; without one (the first line is all numbers, as numpy.savetxt and
    /// DuckDB without HEADER write) every cell is a component. pandas' <c>to_csv</c> is read as it is meant: its
    /// unnamed first column is the index, taken as the cluster id (skipped where the frame has a cluster_id column of
    /// its own), and a first line of exactly 0, 1, …, n − 1 is its default column names, not a centroid. Columns named like a row's other attributes (an id, a price, a label) are
    /// refused rather than read as components.
    /// </summary>
    private sealed record CsvLayout(bool HasHeader, IReadOnlyList<string> Columns, int ClusterIdIndex, int SizeIndex,
        int SkippedIndex = -1)
    {
        public int ComponentCount =>
            Columns.Count - (ClusterIdIndex >= 0 ? 1 : 0) - (SizeIndex >= 0 ? 1 : 0) - (SkippedIndex >= 0 ? 1 : 0);

        private static readonly string[] NotComponents = ["id", "index", "label", "price", "distance", "count"];

        public static CsvLayout FromFirstLine(string path, List<string> cells, int lineNumber)
        {
            string[] names = cells.Select(cell => cell.Trim()).ToArray();
            // A line of numbers is a centroid, also with an infinity or NaN as numpy and pandas spell them, or an empty
            // cell (pandas' NaN, a trailing comma), which its own row then refuses: taken as a header, it would lose
            // that centroid without a word.
            bool header = IsRangeHeader(names) || IsIndexedRangeHeader(names)
                || !names.All(name => name.Length == 0 || IsNumber(name)) || names.All(name => name.Length == 0);
            if (!header)
                return new CsvLayout(false, names.Select((_, j) => $"component {j}").ToArray(), -1, -1);
            // Components may be named by their index, from 0 (pandas) or 1; other numbers beside names are a data line.
            string[] numbers = names.Where(IsNumber).ToArray();
            if (!AreIndexesFromZeroOrOne(numbers))
                throw Invalid(path, $"its first line (line {lineNumber}) mixes names and numbers ('{names.First(name => name.Length > 0 && !IsNumber(name))}', " +
                    $"'{numbers[0]}'): a header names the columns ('{ClusterIdHeader},{SizeHeader},c0,c1,…') and a centroid line holds only numbers.");
            int clusterId = ColumnNamed(path, names, lineNumber, ClusterIdHeader, "clusterid");
            bool pandasIndex = names.Length > 1 && names[0].Length == 0;
            // pandas' index is the cluster id unless the frame has its own cluster_id column; then it is only a row number.
            var layout = new CsvLayout(true, names, clusterId < 0 && pandasIndex ? 0 : clusterId,
                ColumnNamed(path, names, lineNumber, SizeHeader), clusterId >= 0 && pandasIndex ? 0 : -1);
            string? other = names.FirstOrDefault(name => NotComponents.Contains(name, StringComparer.OrdinalIgnoreCase));
            if (other is not null)
                throw Invalid(path, $"its header (line {lineNumber}) has a column '{other}', which is not a component; a centroid CSV holds '{ClusterIdHeader}', '{SizeHeader}' and one column per component (prices are kept in .arrow and .json).");
            if (layout.ComponentCount < 1)
                throw Invalid(path, $"its header (line {lineNumber}) '{string.Join(',', cells)}' names no component column; expected '{ClusterIdHeader},{SizeHeader},c0,c1,…' or one column per component.");
            return layout;
        }

        /// <summary>
        /// The column with one of <paramref name="accepted"/> as its name, in any case, or −1: a CSV that
        /// Export-Csv wrote from centroid objects names them ClusterId and Size, as the JSON format's clusterId does,
        /// and an exact match had read those as components, giving every centroid two more dimensions without a word.
        /// </summary>
        private static int ColumnNamed(string path, string[] names, int lineNumber, params string[] accepted)
        {
            int[] matches = Enumerable.Range(0, names.Length)
                .Where(j => accepted.Contains(names[j], StringComparer.OrdinalIgnoreCase)).ToArray();
            if (matches.Length > 1)
                throw Invalid(path, $"its header (line {lineNumber}) has the columns '{names[matches[0]]}' and '{names[matches[1]]}', which name the same thing; keep one.");
            return matches.Length == 1 ? matches[0] : -1;
        }

        /// <summary>The names pandas gives the columns of a frame whose columns were never named: 0, 1, …</summary>
        private static bool IsRangeHeader(string[] names) => names.Length > 1 && AreIndexes(names, first: 0);

        /// <summary>
        /// After the empty name of pandas' index column, components named by index from 0 or 1 (",0", ",1,2"): a
        /// centroid line never holds an empty cell.
        /// </summary>
        private static bool IsIndexedRangeHeader(string[] names) =>
            names.Length > 1 && names[0].Length == 0 && AreIndexesFromZeroOrOne(names[1..]);

        private static bool AreIndexesFromZeroOrOne(string[] names) => AreIndexes(names, first: 0) || AreIndexes(names, first: 1);

        /// <summary>Whether the names are first, first + 1, …</summary>
        private static bool AreIndexes(string[] names, int first) =>
            names.Select((name, j) => name == InvariantText.Format(first + j)).All(match => match);

        private static bool IsNumber(string name) => InvariantText.TryParse(name, out double _) || InvariantText.TryParseNonFinite(name, out _);
    }

    private static KMeansException NotANumber(string path, string where, string column, string cell, string expected) =>
        cell.Length > 1 && cell[0] == '[' && cell[^1] == ']'
            ? Invalid(path, $"{where}, {column}: '{Shortened(cell)}' is a list in one cell, but a centroid CSV holds one component per column; give list columns as .parquet, .arrow or .npy.")
            : Invalid(path, $"{where}, {column}: '{Shortened(cell)}' is not {expected}.");

    /// <summary>A cell as a message quotes it: a long one (a whole vector in one cell) cut to its start.</summary>
    private static string Shortened(string cell) => cell.Length <= 40 ? cell : cell[..37] + "…";

    private static KMeansException Invalid(string path, string problem) => VectorFileErrors.Invalid(path, problem);

    /// <summary>Splits one line into cells; a cell in double quotes may hold commas and doubled quotes.</summary>
    private static List<string> SplitLine(string path, string line, int lineNumber)
    {
        // numpy.savetxt separates values by spaces unless told otherwise.
        if (!line.Contains(',') && !line.Contains('"'))
            return [.. line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)];
        var cells = new List<string>();
        var cell = new StringBuilder();
        int i = 0;
        while (true)
        {
            cell.Clear();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                        throw Invalid(path, $"line {lineNumber} ends inside a quoted cell.");
                    if (line[i] == '"' && i + 1 < line.Length && line[i + 1] == '"')
                    {
                        cell.Append('"');
                        i += 2;
                    }
                    else if (line[i] == '"')
                    {
                        i++;
                        break;
                    }
                    else
                    {
                        cell.Append(line[i++]);
                    }
                }

                if (i < line.Length && line[i] != ',')
                    throw Invalid(path,
                        $"line {lineNumber} has text after the closing quote of cell {cells.Count + 1}.");
            }
            else
            {
                int end = line.IndexOf(',', i);
                if (end < 0)
                    end = line.Length;
                cell.Append(line, i, end - i);
                i = end;
            }

            cells.Add(cell.ToString());
            if (i >= line.Length)
                return cells;
            i++; // the comma
        }
    }
}
