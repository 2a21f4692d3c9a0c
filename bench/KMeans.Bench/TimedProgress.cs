using System.Diagnostics;
using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>
/// Records when the trainer reported what, on the trainer's own thread (unlike Progress&lt;T&gt;, which posts
/// reports elsewhere and would delay the timestamps).
/// </summary>
internal sealed class TimedProgress : IProgress<TrainingProgress>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>When the last centroid of the initialisation was chosen, from the start; null if never reported.</summary>
    public TimeSpan? InitializationDone { get; private set; }

    /// <summary>When the first iteration report arrived, from the start.</summary>
    public TimeSpan? FirstIterationReported { get; private set; }

    public void Restart()
    {
        InitializationDone = null;
        FirstIterationReported = null;
        _clock.Restart();
    }

    public void Report(TrainingProgress value)
    {
        switch (value)
        {
            case InitializationProgress init when init.CentroidsChosen == init.K:
                InitializationDone = _clock.Elapsed;
                break;
            case IterationReport when FirstIterationReported is null:
                FirstIterationReported = _clock.Elapsed;
                break;
        }
    }
}
