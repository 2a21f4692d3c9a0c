namespace KMeans.Core.Training;

/// <summary>
/// When to try <see cref="SkipBounds"/>: on data where the bounds keep few labels (uniform data, overlapping
/// clusters) the test costs more than it saves, so after each attempt that keeps fewer than
/// 1/<see cref="WorthwhileFraction"/> of the rows, bounds pause for twice as many assignments as the last pause.
/// Only speed depends on it: labels are the same with or without bounds.
/// </summary>
internal sealed class SkipSchedule
{
    public const int WorthwhileFraction = 8;

    private int _pauseLeft;
    private int _nextPause = 1;

    /// <summary>
    /// Whether the last attempt since <see cref="Reset"/> or <see cref="Restore"/> kept at least half the rows, so that
    /// the next one will likely be a short pass (<see cref="LloydRun"/> takes the update's sums beside it only where
    /// not). Not kept by checkpoints: it steers where the sums are taken, which changes no bit.
    /// </summary>
    public bool LastAttemptKeptMost { get; private set; }

    /// <summary>The schedule between two assignments, as a checkpoint keeps it.</summary>
    public readonly record struct State(int PauseLeft, int NextPause);

    public State Saved => new(_pauseLeft, _nextPause);

    public void Restore(State state)
    {
        _pauseLeft = state.PauseLeft;
        _nextPause = state.NextPause;
        LastAttemptKeptMost = false;
    }

    /// <summary>Starts over, for a new run from new centroids.</summary>
    public void Reset()
    {
        _pauseLeft = 0;
        _nextPause = 1;
        LastAttemptKeptMost = false;
    }

    /// <summary>Whether the coming assignment should use bounds; call once per assignment.</summary>
    public bool TryBounds()
    {
        if (_pauseLeft == 0)
            return true;
        _pauseLeft--;
        return false;
    }

    /// <summary>Records how many of <paramref name="rows"/> rows an attempt kept.</summary>
    public void Record(long skipped, long rows)
    {
        LastAttemptKeptMost = 2 * skipped >= rows;
        if (skipped * WorthwhileFraction >= rows)
        {
            _nextPause = 1;
            return;
        }
        _pauseLeft = _nextPause;
        _nextPause = (int)Math.Min(_nextPause * 2L, int.MaxValue);
    }
}
