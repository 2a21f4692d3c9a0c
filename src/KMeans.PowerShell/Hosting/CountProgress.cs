using System.Diagnostics;
using System.Management.Automation;

namespace KMeans.PowerShell.Hosting;

/// <summary>
/// Write-Progress for one activity that counts items (rows read, vectors written): at most one record per
/// <see cref="Interval"/>, with the percentage and the time left at the pace so far when the total is known, and a
/// Completed record at the end if anything was shown. With <paramref name="showFirst"/> the first count is shown at
/// once; otherwise only work that lasts an interval shows at all.
/// </summary>
internal sealed class CountProgress(Cmdlet cmdlet, int activityId, string activity, bool showFirst)
{
    /// <summary>Progress records are at most this frequent: a file of millions of rows passes in seconds.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private TimeSpan _lastShown = showFirst ? -Interval : TimeSpan.Zero;
    private bool _shown;

    /// <param name="status">The record's text for <paramref name="done"/> of <paramref name="total"/>.</param>
    public void Report(long done, long? total, string status)
    {
        TimeSpan now = _elapsed.Elapsed;
        if (now - _lastShown < Interval)
            return;
        _lastShown = now;
        var record = new ProgressRecord(activityId, activity, status);
        if (total is long known && known > 0 && done > 0)
        {
            record.PercentComplete = (int)Math.Min(100, 100 * done / known);
            record.SecondsRemaining = (int)Math.Ceiling(now.TotalSeconds * (known - done) / done);
        }
        cmdlet.WriteProgress(record);
        _shown = true;
    }

    public void Complete()
    {
        if (_shown)
            cmdlet.WriteProgress(new ProgressRecord(activityId, activity, "Done") { RecordType = ProgressRecordType.Completed });
    }
}
