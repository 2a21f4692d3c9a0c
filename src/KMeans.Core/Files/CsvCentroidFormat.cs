using System.Text;

namespace KMeans.Core.Files;

/// <summary>
/// Centroids as CSV (RFC 4180): the header <c>cluster_id,size,c0,…,c{d−1}</c>, then one line per centroid, CRLF line
/// ends, invariant culture and the shortest text that round-trips each float32. Reading accepts LF or CRLF, skips
/// blank lines, unquotes quoted cells, and names the row and column of any cell it cannot use.
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
        writer.Write(',');
        writer.Write(SizeHeader);
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
            writer.Write(',');
            writer.Write(InvariantText.Format(set.Sizes[cluster]));
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
        string[]? header = null;
        float[] centroid = [];
        var lineOfRow = new List<int>();
        var rows = new CentroidRowCollector(path, row => $"row {row} (line {lineOfRow[row]})");
        while (reader.ReadLine() is string line)
        {
            lineNumber++;
            if (line.Length == 0)
                continue;
            List<string> cells = SplitLine(path, line, lineNumber);
            if (header is null)
            {
                header = CheckHeader(path, cells, lineNumber);
                centroid = new float[header.Length - 2];
                continue;
            }

            int row = lineOfRow.Count;
            string where = $"row {row} (line {lineNumber})";
            if (cells.Count != header.Length)
                throw CentroidFileErrors.Invalid(path,
                    $"{where} has {cells.Count} cells, but the header has {header.Length} columns.");
            int clusterId = InvariantText.TryParse(cells[0], out int id)
                ? id
                : throw NotANumber(path, where, header[0], cells[0], "an integer");
            long size = InvariantText.TryParse(cells[1], out long count)
                ? count
                : throw NotANumber(path, where, header[1], cells[1], "an integer");
            for (int j = 0; j < centroid.Length; j++)
            {
                centroid[j] = InvariantText.TryParse(cells[j + 2], out float value)
                    ? value
                    : throw NotANumber(path, where, header[j + 2], cells[j + 2], "a number");
            }

            lineOfRow.Add(lineNumber);
            rows.Add(clusterId, size, centroid);
        }

        if (header is null)
            throw CentroidFileErrors.Invalid(path, "it holds only blank lines; expected a header line and one line per centroid.");
        (int k, int dimension, float[] values, long[] sizes) = rows.Build();
        return new CentroidSet(k, dimension, values, sizes);
    }

    private static string ComponentHeader(int component) => "c" + InvariantText.Format(component);

    private static string[] CheckHeader(string path, List<string> cells, int lineNumber)
    {
        bool valid = cells.Count >= 3 && cells[0] == ClusterIdHeader && cells[1] == SizeHeader;
        for (int j = 2; valid && j < cells.Count; j++)
            valid = cells[j] == ComponentHeader(j - 2);
        if (!valid)
            throw CentroidFileErrors.Invalid(path,
                $"line {lineNumber} is the header '{string.Join(',', cells)}'; expected '{ClusterIdHeader},{SizeHeader},c0,c1,…' with one column c0 … c(d−1) per component.");
        return [.. cells];
    }

    private static KMeansException NotANumber(string path, string where, string column, string cell, string expected) =>
        CentroidFileErrors.Invalid(path, $"{where}, column '{column}': '{cell}' is not {expected}.");

    /// <summary>Splits one line into cells; a cell in double quotes may hold commas and doubled quotes.</summary>
    private static List<string> SplitLine(string path, string line, int lineNumber)
    {
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
                        throw CentroidFileErrors.Invalid(path, $"line {lineNumber} ends inside a quoted cell.");
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
                    throw CentroidFileErrors.Invalid(path,
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
