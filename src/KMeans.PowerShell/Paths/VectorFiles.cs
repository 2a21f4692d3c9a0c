using System.Management.Automation;
using KMeans.Core.Files;
using KMeans.Core;
using KMeans.PowerShell.Errors;
using KMeans.PowerShell.Mapping;

namespace KMeans.PowerShell.Paths;

/// <summary>Opens the vector files named by -Path/-LiteralPath as one source, reporting problems as ErrorRecords.</summary>
internal static class VectorFiles
{
    /// <summary>
    /// One source over <paramref name="files"/> (already resolved), each read as <paramref name="format"/> or by its
    /// extension, or null with <paramref name="error"/> set. With <paramref name="leftOut"/>, a file that holds no
    /// vector whose dimension could be read (an empty Parquet shard) is left out while another file gives the
    /// dimension, and handed to <paramref name="leftOut"/>: it adds no row either way.
    /// </summary>
    public static IVectorSource? Open(IReadOnlyList<string> files, string? column, KMeansVectorFormat? format,
        out ErrorRecord? error, Action<KMeansException>? leftOut = null)
    {
        error = null;
        var opened = new List<IVectorSource>();
        var withoutVectors = new List<KMeansException>();
        try
        {
            foreach (string file in files)
            {
                try
                {
                    opened.Add(VectorFile.Open(file, column, format?.ToCore()));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    error = KMeansErrors.FileUnreadable(file, e);
                    return null;
                }
                catch (KMeansException e) when (leftOut is not null && e.Kind == KMeansErrorKind.NoRows)
                {
                    withoutVectors.Add(e);
                }
            }
            if (opened.Count == 0 && withoutVectors.Count > 0)
                throw withoutVectors[0];
            foreach (KMeansException empty in withoutVectors)
                leftOut!(empty);
            IVectorSource source = opened.Count == 1 ? opened[0] : new ConcatenatedVectorSource(opened.ToArray());
            opened.Clear();
            return source;
        }
        catch (KMeansException e) when (format is null && e.Kind == KMeansErrorKind.UnsupportedFile
            && e.Target is string file && !VectorFile.HasKnownExtension(file))
        {
            error = KMeansErrors.UnknownExtension(e, file,
                $"Give -InputFormat ({string.Join(", ", Enum.GetNames<KMeansVectorFormat>())}) to read it in one of the vector formats.");
            return null;
        }
        catch (KMeansException e)
        {
            error = KMeansErrors.FromException(e);
            return null;
        }
        finally
        {
            foreach (IVectorSource source in opened)
                source.Dispose();
        }
    }
}
