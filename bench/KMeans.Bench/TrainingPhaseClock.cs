using System.Diagnostics;
using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>
/// Splits one whole training into its phases by when the trainer reported what, on the trainer's thread: sampling
/// (until the last sampling report), initialisation (until the K-th centroid), Lloyd iterations (until the last
/// iteration report) and the rest (with a training dimension, the final full-dimension pass).
/// </summary>
internal sealed class TrainingPhaseClock : IProgress<TrainingProgress>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _sampled;
    private TimeSpan _initialised;
    private TimeSpan _iterated;

    public void Report(TrainingProgress value)
    {
        switch (value)
        {
            case SamplingProgress:
                _sampled = _clock.Elapsed;
                break;
            case InitializationProgress init when init.CentroidsChosen == init.K:
                _initialised = _clock.Elapsed;
                break;
            case IterationReport:
                _iterated = _clock.Elapsed;
                break;
        }
    }

    /// <summary>Milliseconds of sampling, initialisation, iterations and the rest (the final pass), at the end of training.</summary>
    public (double Sampling, double Initialisation, double Iterations, double FinalPass) Stop()
    {
        TimeSpan end = _clock.Elapsed;
        return (_sampled.TotalMilliseconds, (_initialised - _sampled).TotalMilliseconds,
            (_iterated - _initialised).TotalMilliseconds, (end - _iterated).TotalMilliseconds);
    }
}
