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

    [Theory]
    [InlineData(0, false)]
    [InlineData(499, false)]
    [InlineData(500, true)]
    [InlineData(1000, true)]
    public void RemembersWhetherTheLastAttemptKeptMostRows(long skipped, bool keptMost)
    {
        var schedule = new SkipSchedule();
        Assert.False(schedule.LastAttemptKeptMost);

        schedule.TryBounds();
        schedule.Record(skipped, rows: 1000);
        Assert.Equal(keptMost, schedule.LastAttemptKeptMost);

        schedule.TryBounds();
        schedule.Record(skipped: 1000 - skipped, rows: 1000);
        Assert.Equal(1000 - skipped >= 500, schedule.LastAttemptKeptMost);
    }

    [Fact]
    public void ANewRunOrARestoredOneHasNoAttemptToGoBy()
    {
        var schedule = new SkipSchedule();
        schedule.TryBounds();
        schedule.Record(skipped: 900, rows: 1000);
        SkipSchedule.State saved = schedule.Saved;

        schedule.Reset();
        Assert.False(schedule.LastAttemptKeptMost);

        schedule.Record(skipped: 900, rows: 1000);
        schedule.Restore(saved);
        Assert.False(schedule.LastAttemptKeptMost);
        Assert.Equal(saved, schedule.Saved);
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
