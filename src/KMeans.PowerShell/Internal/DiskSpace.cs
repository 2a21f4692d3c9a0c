using KMeans.Core;
using KMeans.Core.Buffers;
using KMeans.Core.Files;
using KMeans.Core.Training;

namespace KMeans.PowerShell.Internal;

/// <summary>
/// Checks, before the worker starts and so before anything is written, that the on-disk sample fits in the free space
/// of the temporary directory; the size is the one Get-KMeansDiskEstimate reports.
/// </summary>
internal static class DiskSpace
{
    public static void EnsureSampleFits(KMeansOptions options, IVectorSource source)
    {
        long needed = MemoryEstimate.Compute(source.RowCount, options.K, source.Dimension, options.SampleRate,
            options.EffectiveParallelism).SampleBytes;
        string directory = options.EffectiveTempDirectory;
        long free = new DriveInfo(directory).AvailableFreeSpace;
        if (needed > free)
            throw new KMeansException(KMeansErrorKind.InsufficientDiskSpace,
                $"The on-disk sample needs {ByteSize.Format(needed)} ({needed:N0} bytes) in '{directory}', but only " +
                $"{ByteSize.Format(free)} are free. Choose another -TempDirectory, lower -SampleRate or K, or train in memory.",
                directory);
    }
}
