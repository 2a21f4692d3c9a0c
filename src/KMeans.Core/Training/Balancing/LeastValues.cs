using System.Runtime.CompilerServices;

namespace KMeans.Core.Training.Balancing;

/// <summary>
/// Gathers the <c>count</c> least of some values into their first <c>count</c> places, largest first, through a bounded
/// max-heap: a price step needs the h-th least gap of each full partition and its rows of least gap, h a few rows
/// where the partitions hold hundreds, and then nearly every value is only compared with the heap's top, a branch
/// that is rarely taken. Quickselect's partitioning branched unpredictably on every value, and sorting every row of
/// the full partitions had been a large part of a step's time before that.
/// </summary>
internal static class LeastValues
{
    /// <returns>The largest of the <paramref name="count"/> least: the value a sort would put at position count − 1.</returns>
    // Fully optimized from the first call, as the balancing passes that call it (see PartitionBalancer's remarks).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T Gather<T>(Span<T> values, int count) where T : IComparable<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, values.Length);
        Span<T> heap = values[..count];
        for (int parent = count / 2 - 1; parent >= 0; parent--)
            SiftDown(heap, parent);
        for (int i = count; i < values.Length; i++)
        {
            if (values[i].CompareTo(heap[0]) < 0)
            {
                (heap[0], values[i]) = (values[i], heap[0]);
                SiftDown(heap, 0);
            }
        }
        return heap[0];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SiftDown<T>(Span<T> heap, int at) where T : IComparable<T>
    {
        T value = heap[at];
        while (true)
        {
            int child = 2 * at + 1;
            if (child >= heap.Length)
                break;
            if (child + 1 < heap.Length && heap[child + 1].CompareTo(heap[child]) > 0)
                child++;
            if (heap[child].CompareTo(value) <= 0)
                break;
            heap[at] = heap[child];
            at = child;
        }
        heap[at] = value;
    }
}
