namespace KMeans.Bench;

/// <summary>Median and range of a set of measurements.</summary>
internal readonly record struct Summary(double Median, double Min, double Max, int Count)
{
    public static Summary Of(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        if (sorted.Length == 0)
            return new Summary(double.NaN, double.NaN, double.NaN, 0);
        int middle = sorted.Length / 2;
        double median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Summary(median, sorted[0], sorted[^1], sorted.Length);
    }

    public string Range(string format) => $"{Min.ToString(format)}–{Max.ToString(format)}";
}
