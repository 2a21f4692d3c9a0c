using System.Collections.Concurrent;

namespace KMeans.PowerShell.Hosting;

/// <summary>
/// Runs long work on a worker task while the pipeline thread drains what it reports: PowerShell allows Write* calls only
/// on the pipeline thread, so the worker never writes; it only queues. <see cref="Drain"/> returns once the worker has
/// finished, successfully or not, so no thread outlives the cmdlet.
/// </summary>
internal sealed class BackgroundWork<TReport, TResult> : IProgress<TReport>, IDisposable
{
    private readonly BlockingCollection<TReport> _reports = new();
    private readonly CancellationTokenSource _cancellation;
    private readonly Task<TResult> _task;

    /// <param name="work">Receives the progress sink and a token that is cancelled by <paramref name="stopping"/> or
    /// when draining fails.</param>
    public BackgroundWork(Func<IProgress<TReport>, CancellationToken, TResult> work, CancellationToken stopping)
    {
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        CancellationToken token = _cancellation.Token;
        _task = Task.Run(() =>
        {
            try
            {
                return work(this, token);
            }
            finally
            {
                _reports.CompleteAdding();
            }
        }, CancellationToken.None);
    }

    void IProgress<TReport>.Report(TReport value) => _reports.Add(value);

    /// <summary>Hands every report to <paramref name="onReport"/> on the calling thread, then returns the result or rethrows.</summary>
    public TResult Drain(Action<TReport> onReport)
    {
        try
        {
            foreach (TReport report in _reports.GetConsumingEnumerable())
                onReport(report);
        }
        catch
        {
            // A Write* call threw (the pipeline is stopping, or -ErrorAction Stop): stop the worker and wait for it.
            _cancellation.Cancel();
            WaitQuietly();
            throw;
        }
        return _task.GetAwaiter().GetResult();
    }

    private void WaitQuietly()
    {
        try
        {
            _task.Wait();
        }
        catch (AggregateException)
        {
            // The worker's own failure (usually the cancellation) is not the error being reported.
        }
    }

    public void Dispose()
    {
        _cancellation.Dispose();
        _reports.Dispose();
    }
}
