using System.Management.Automation;

namespace KMeans.PowerShell.Tests;

/// <summary>
/// Counts, as they arrive, the progress records of a running pipeline that match a condition. The pipeline adds records
/// from its own thread, so copying the collection meanwhile (ToArray) races with the adds and can throw; the DataAdded
/// event, raised by the adding thread once the record is in, does not.
/// </summary>
internal sealed class ProgressWatch
{
    private int _count;

    /// <summary>Starts counting; create it before the pipeline starts, so that no record is missed.</summary>
    public ProgressWatch(PSDataCollection<ProgressRecord> progress, Func<ProgressRecord, bool> matches)
    {
        progress.DataAdded += (sender, added) =>
        {
            if (matches(((PSDataCollection<ProgressRecord>)sender!)[added.Index]))
                Interlocked.Increment(ref _count);
        };
    }

    public int Count => Volatile.Read(ref _count);
}
