using System.Management.Automation;
using KMeans.Core.Files;
using KMeans.Core;
using KMeans.PowerShell.Errors;

namespace KMeans.PowerShell.Paths;

/// <summary>Opens the vector files named by -Path/-LiteralPath as one source, reporting problems as ErrorRecords.</summary>
internal static class VectorFiles
{
    /// <summary>One source over <paramref name="files"/> (already resolved), or null with <paramref name="error"/> set.</summary>
    public static IVectorSource? Open(IReadOnlyList<string> files, string? column, out ErrorRecord? error)
    {
        error = null;
        var opened = new List<IVectorSource>();
        try
        {
            foreach (string file in files)
            {
                try
                {
                    opened.Add(VectorFile.Open(file, column));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    error = KMeansErrors.FileUnreadable(file, e);
                    return null;
                }
            }
            IVectorSource source = opened.Count == 1 ? opened[0] : new ConcatenatedVectorSource(opened.ToArray());
            opened.Clear();
            return source;
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
