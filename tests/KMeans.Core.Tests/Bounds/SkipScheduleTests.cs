using KMeans.Core.Training;

namespace KMeans.Core.Tests.Bounds;

public class SkipScheduleTests
{
    [Fact]
    public void UselessAttemptsPauseTheBoundsForDoublingStretches()
    {
        var schedule = new SkipSchedule();

        List<bool> attempts = [];
        for (int assignment = 0; assignment < 12; assignment++)
        {
            bool tried = schedule.TryBounds();
            attempts.Add(tried);
            if (tried)
                schedule.Record(skipped: 0, rows: 1000);
        }

        // Tries, pauses 1, tries, pauses 2, tries, pauses 4, tries, pauses 8 ...
        Assert.Equal([true, false, true, false, false, true, false, false, false, false, true, false], attempts);
    }

    [Fact]
    public void AWorthwhileAttemptKeepsTheBoundsOnAndResetsThePause()
    {
        var schedule = new SkipSchedule();
        Assert.True(schedule.TryBounds());
        schedule.Record(skipped: 0, rows: 1000);
        Assert.False(schedule.TryBounds());
        Assert.True(schedule.TryBounds());
        schedule.Record(skipped: 1000 / SkipSchedule.WorthwhileFraction, rows: 1000);

        Assert.True(schedule.TryBounds());
        schedule.Record(skipped: 999, rows: 1000);
        Assert.True(schedule.TryBounds());
        schedule.Record(skipped: 0, rows: 1000);
        Assert.False(schedule.TryBounds());
        Assert.True(schedule.TryBounds());
    }

    [Fact]
    public void ResetTriesAgainAtOnce()
    {
        var schedule = new SkipSchedule();
        schedule.TryBounds();
        schedule.Record(skipped: 0, rows: 10);

        schedule.Reset();

        Assert.True(schedule.TryBounds());
    }
}
