using System.Runtime.ExceptionServices;

namespace KMeans.Core.Training;

/// <summary>
/// Parallel.For for bodies that may throw: callers see the body's own exception (a KMeansException, or an
/// OperationCanceledException when the token fired) instead of the AggregateException Parallel wraps it in.
/// </summary>
internal static class ParallelNodes
{
    public static void For(int count, ParallelOptions parallel, Action<int> body)
    {
        try
        {
            Parallel.For(0, count, parallel, body);
        }
        catch (AggregateException e)
        {
            parallel.CancellationToken.ThrowIfCancellationRequested();
            ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
        }
    }
}
