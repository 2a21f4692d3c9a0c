namespace KMeans.Core.Files;

/// <summary>
/// The first row group of a Parquet file as opening it decoded it to find the dimension, kept for the file's first
/// reading to take instead of decoding it again: a file of one row group (pyarrow writes up to 1 Mi rows in one, DuckDB
/// 122,880) was decoded twice, Fashion-MNIST from DuckDB in 1.6–2.2 s each time. The process keeps one, the last
/// opened: opening another file or starting any reading lets it go, so that a list of files opened before they are
/// read adds at most one row group to what a reading holds, and none once reading starts; disposing its source lets it
/// go too. A file written since it was opened (another length or write time) gets no kept row group.
/// </summary>
internal static class OpeningRowGroup
{
    private static readonly object Gate = new();
    private static Kept? s_kept;

    private sealed record Kept(object Owner, ParquetColumnChunk Chunk, FileStamp Stamp);

    /// <summary>A file's length and last write time, which a file replaced or rewritten since changes.</summary>
    public readonly record struct FileStamp(long Length, DateTime WrittenUtc)
    {
        /// <summary>The stamp of the file at <paramref name="path"/>; null where it cannot be read (the reading that follows says why).</summary>
        public static FileStamp? Of(string path)
        {
            try
            {
                var file = new FileInfo(path);
                return new FileStamp(file.Length, file.LastWriteTimeUtc);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
    }

    /// <summary>Keeps <paramref name="chunk"/>, decoded from the file as it was at <paramref name="stamp"/>, for <paramref name="owner"/>.</summary>
    public static void Keep(object owner, ParquetColumnChunk chunk, FileStamp stamp)
    {
        lock (Gate)
            s_kept = new Kept(owner, chunk, stamp);
    }

    /// <summary>
    /// The row group kept for <paramref name="owner"/> if its file at <paramref name="path"/> is as it was; whatever is
    /// kept, for this owner or another, is let go.
    /// </summary>
    public static ParquetColumnChunk? Take(object owner, string path)
    {
        Kept? kept;
        lock (Gate)
        {
            kept = s_kept;
            s_kept = null;
        }
        return kept is not null && ReferenceEquals(kept.Owner, owner) && FileStamp.Of(path) == kept.Stamp ? kept.Chunk : null;
    }

    /// <summary>Lets go of what is kept for <paramref name="owner"/>, if anything.</summary>
    public static void Release(object owner)
    {
        lock (Gate)
        {
            if (s_kept is not null && ReferenceEquals(s_kept.Owner, owner))
                s_kept = null;
        }
    }
}
