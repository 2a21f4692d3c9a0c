namespace KMeans.Bench;

/// <summary>An aligned plain-text table: the first column left-aligned, the others right-aligned (they hold numbers).</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
            throw new ArgumentException($"A row needs {headers.Length} cells, got {cells.Length}.", nameof(cells));
        _rows.Add(cells);
    }

    public void Write(TextWriter writer)
    {
        int[] widths = headers.Select((h, c) => _rows.Select(r => r[c].Length).Append(h.Length).Max()).ToArray();
        writer.WriteLine(Line(headers, widths));
        writer.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (string[] row in _rows)
            writer.WriteLine(Line(row, widths));
        writer.WriteLine();
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd();
}
