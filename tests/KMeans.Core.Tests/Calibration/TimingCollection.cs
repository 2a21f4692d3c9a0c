namespace KMeans.Core.Tests.Calibration;

/// <summary>Tests that time this machine run alone, after the others: concurrent tests would distort the timings.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "Timing";
}
