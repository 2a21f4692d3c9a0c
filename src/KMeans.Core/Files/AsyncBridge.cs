namespace KMeans.Core.Files;

/// <summary>
/// Runs Parquet.Net's asynchronous-only calls from our synchronous streaming API. The work goes to the thread pool
/// first, so blocking on it cannot deadlock a caller that has a single-threaded synchronization context.
/// </summary>
internal static class AsyncBridge
{
    public static T Run<T>(Func<Task<T>> work) => Task.Run(work).GetAwaiter().GetResult();

    public static void Run(Func<Task> work) => Task.Run(work).GetAwaiter().GetResult();
}
