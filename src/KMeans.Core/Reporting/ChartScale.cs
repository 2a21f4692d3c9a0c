namespace KMeans.Core.Reporting;

/// <summary>
/// Maps data values to chart pixels along one axis, linear or logarithmic, with round tick values. Values outside
/// the range (including 0 and infinity on a log axis) are drawn at its edge, so every point of a series appears.
/// </summary>
internal sealed class ChartScale
{
    private readonly double _low;
    private readonly double _high;
    private readonly double _from;
    private readonly double _to;

    private ChartScale(double low, double high, bool logarithmic, double from, double to, IReadOnlyList<double> ticks)
    {
        _low = low;
        _high = high;
        IsLogarithmic = logarithmic;
        _from = from;
        _to = to;
        Ticks = ticks;
    }

    public bool IsLogarithmic { get; }

    /// <summary>Round values inside the range, to draw grid lines and labels at.</summary>
    public IReadOnlyList<double> Ticks { get; }

    /// <summary>
    /// A linear axis with about five round ticks: over [min, max] widened to round values, or with
    /// <paramref name="tight"/> over exactly [min, max] (for counts such as iterations and ranks, whose ends matter,
    /// and whose ticks are whole numbers).
    /// </summary>
    public static ChartScale Linear(double min, double max, double from, double to, bool tight = false)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max))
            (min, max) = (0, 1);
        if (min == max)
            (min, max) = min == 0 ? (0, 1) : (Math.Min(0, 2 * min), Math.Max(0, 2 * max));
        // A tight axis has no round end ticks, so it gets finer steps to keep about five inside.
        double step = RoundStep((max - min) / (tight ? 8 : 5));
        if (tight)
            step = Math.Max(1, step);
        double low = tight ? min : Math.Floor(min / step) * step;
        double high = tight ? max : Math.Ceiling(max / step) * step;
        var ticks = new List<double>();
        for (double tick = Math.Ceiling(low / step) * step; tick <= high + step * 1e-9; tick += step)
            ticks.Add(tick);
        return new ChartScale(low, high, logarithmic: false, from, to, ticks);
    }

    /// <summary>
    /// A base-10 log axis over the positive finite values among <paramref name="values"/>, from a round value below
    /// the smallest to one above the largest: whole decades when they span three or more, else 1-2-5 steps, else
    /// every digit, and within a factor of two round linear steps, so that a loss that changes by a few percent still
    /// fills the chart.
    /// </summary>
    public static ChartScale Logarithmic(IEnumerable<double> values, double from, double to)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double value in values)
        {
            if (value > 0 && double.IsFinite(value))
            {
                min = Math.Min(min, value);
                max = Math.Max(max, value);
            }
        }
        if (double.IsInfinity(min))
            (min, max) = (1e-6, 1);
        double decades = Math.Log10(max / min);
        if (decades < 0.3)
        {
            // Within a factor of two the axis is nearly linear: round linear steps fit the data more closely.
            double step = RoundStep(max > min ? (max - min) / 5 : min / 10);
            double bottom = Math.Floor(min / step) * step;
            double top = Math.Ceiling(max / step) * step;
            if (bottom <= 0 || top == bottom)
                (bottom, top) = (bottom <= 0 ? step : bottom, top == bottom ? top + step : top);
            List<double> steps = [.. Enumerable.Range(0, (int)Math.Round((top - bottom) / step) + 1).Select(i => bottom + i * step)];
            return new ChartScale(Math.Log10(bottom), Math.Log10(top), logarithmic: true, from, to, steps);
        }
        double[] digits = decades >= 3 ? [1] : decades >= 0.7 ? [1, 2, 5] : [1, 2, 3, 4, 5, 6, 7, 8, 9];
        var candidates = new List<double>();
        for (int decade = (int)Math.Floor(Math.Log10(min)); decade <= (int)Math.Ceiling(Math.Log10(max)) + 1; decade++)
        {
            foreach (double digit in digits)
                candidates.Add(digit * Math.Pow(10, decade));
        }
        double low = candidates.Last(c => c <= min * (1 + 1e-12));
        double high = candidates.First(c => c >= max * (1 - 1e-12));
        if (high == low)
            high = candidates.First(c => c > low);
        List<double> ticks = [.. candidates.Where(c => c >= low && c <= high)];
        int every = Math.Max(1, (int)Math.Ceiling((ticks.Count - 1) / 7.0));
        ticks = [.. ticks.Where((_, i) => i % every == 0)];
        return new ChartScale(Math.Log10(low), Math.Log10(high), logarithmic: true, from, to, ticks);
    }

    public double Map(double value)
    {
        double position;
        if (IsLogarithmic)
            position = value > 0 ? Math.Log10(value) : double.NegativeInfinity;
        else
            position = value;
        double fraction = (position - _low) / (_high - _low);
        if (double.IsNaN(fraction))
            fraction = 0;
        fraction = Math.Clamp(fraction, 0, 1);
        return _from + fraction * (_to - _from);
    }

    /// <summary>1, 2 or 5 times a power of ten, at least <paramref name="rough"/>.</summary>
    private static double RoundStep(double rough)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        foreach (double factor in (double[])[1, 2, 5, 10])
        {
            if (factor * power >= rough)
                return factor * power;
        }
        return 10 * power;
    }
}
