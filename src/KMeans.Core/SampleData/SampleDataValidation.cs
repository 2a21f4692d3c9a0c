namespace KMeans.Core.SampleData;

/// <summary>Argument checks shared by the generators, failing with the parameter's name and value.</summary>
internal static class SampleDataValidation
{
    public static void AtLeast(long value, long minimum, string name)
    {
        if (value < minimum)
            throw new KMeansException(KMeansErrorKind.InvalidOption, $"{name} must be at least {minimum}, but was {value}.", value);
    }

    public static void AtMost(long value, long maximum, string name, string reason)
    {
        if (value > maximum)
            throw new KMeansException(KMeansErrorKind.InvalidOption, $"{name} must be at most {maximum}, but was {value}: {reason}", value);
    }

    public static void FiniteNonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new KMeansException(KMeansErrorKind.InvalidOption, $"{name} must be a finite number ≥ 0, but was {value}.", value);
    }
}
