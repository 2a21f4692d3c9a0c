using System.Collections.Concurrent;

namespace KMeans.Core.Assigning;

/// <summary>
/// Dedicated threads for the assignment workers, parked between runs instead of ending: a fresh thread takes 0.2–5 ms
/// to start running on a busy machine, which a call that assigns a few hundred thousand rows feels, while a parked one
/// wakes in microseconds. Not the thread pool: a consumer that blocks on a pool thread would leave the workers waiting
/// for the pool to grow, which on a small machine takes about a second. Threads are only added when every parked one
/// is busy, so their number is the largest count of workers that ran at once. A parked thread blocks at once: a
/// SemaphoreSlim spins (140 rounds, most of them sched_yield calls) before it blocks, and the workers that finished
/// first spun so on cores that the consumer and the last worker still needed.
/// </summary>
internal static class ParkedWorkers
{
    private static readonly ConcurrentBag<Worker> Idle = [];

    /// <summary>Runs <paramref name="work"/> on a parked thread (a new one when none is idle); the task ends with it.</summary>
    public static Task Run(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Idle.TryTake(out Worker? worker))
            worker = Worker.Start();
        worker.Give(work, done);
        return done.Task;
    }

    private sealed class Worker
    {
        private readonly ManualResetEventSlim _given = new(initialState: false, spinCount: 0);
        private Action? _work;
        private TaskCompletionSource? _done;

        public static Worker Start()
        {
            var worker = new Worker();
            new Thread(worker.Loop) { IsBackground = true, Name = "KMeans assignment" }.Start();
            return worker;
        }

        public void Give(Action work, TaskCompletionSource done)
        {
            _work = work;
            _done = done;
            _given.Set();
        }

        private void Loop()
        {
            while (true)
            {
                _given.Wait();
                _given.Reset();
                Action work = _work!;
                TaskCompletionSource done = _done!;
                _work = null;
                _done = null;
                Exception? failure = null;
                try
                {
                    work();
                }
                catch (Exception e)
                {
                    failure = e;
                }
                // Parked again before the caller hears of the end, so that its next run finds this thread idle.
                Idle.Add(this);
                if (failure is null)
                    done.SetResult();
                else
                    done.SetException(failure);
            }
        }
    }
}
