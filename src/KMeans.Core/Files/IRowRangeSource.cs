namespace KMeans.Core.Files;

/// <summary>
/// A source whose rows lie in the file as float32 values, one row after the other, so that any range of rows can be
/// read straight into a caller's buffer, by several threads at once: a reader then copies each value once, without the
/// batch in between, and no thread waits for another's copy.
/// </summary>
internal interface IRowRangeSource
{
    /// <summary>Whether <see cref="ReadRows"/> serves this source; otherwise read it by <see cref="IVectorSource.ReadBatches"/>.</summary>
    bool ReadsRowRanges { get; }

    /// <summary>
    /// Rows <paramref name="firstRow"/> to <paramref name="firstRow"/> + <paramref name="count"/> − 1 into
    /// <paramref name="destination"/>, row-major; failures are those <see cref="IVectorSource.ReadBatches"/> reports.
    /// </summary>
    void ReadRows(long firstRow, int count, Span<float> destination);
}
