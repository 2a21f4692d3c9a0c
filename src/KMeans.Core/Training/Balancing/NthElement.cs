namespace KMeans.Core.Training.Balancing;

/// <summary>
/// Puts into place the element a sort would put at a given position, the smaller ones before it and the larger after
/// it (C++'s nth_element): a price step needs the h-th smallest gap of each full partition and the few rows of least
/// gap, and sorting every row of the full partitions for that was a large part of a step's time.
/// </summary>
internal static class NthElement
{
    /// <summary>Spans at most this long are sorted outright.</summary>
    private const int SortedOutright = 16;

    /// <returns>The element at <paramref name="nth"/>.</returns>
    public static T Place<T>(Span<T> values, int nth) where T : IComparable<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nth);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(nth, values.Length);
        int low = 0;
        int high = values.Length - 1;
        while (high - low >= SortedOutright)
        {
            T pivot = MedianOfThree(values[low], values[low + (high - low) / 2], values[high]);
            int left = low;
            int right = high;
            while (left <= right)
            {
                while (values[left].CompareTo(pivot) < 0)
                    left++;
                while (values[right].CompareTo(pivot) > 0)
                    right--;
                if (left <= right)
                {
                    (values[left], values[right]) = (values[right], values[left]);
                    left++;
                    right--;
                }
            }
            if (nth <= right)
                high = right;
            else if (nth >= left)
                low = left;
            else
                return values[nth];
        }
        values[low..(high + 1)].Sort();
        return values[nth];
    }

    private static T MedianOfThree<T>(T a, T b, T c) where T : IComparable<T>
    {
        if (a.CompareTo(b) > 0)
            (a, b) = (b, a);
        if (b.CompareTo(c) > 0)
            b = c;
        return a.CompareTo(b) > 0 ? a : b;
    }
}
