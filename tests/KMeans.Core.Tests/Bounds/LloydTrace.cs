using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Bounds;

/// <summary>Everything one Lloyd run produced, iteration by iteration: labels, row losses, sizes and reports.</summary>
internal sealed class LloydTrace : IProgress<TrainingProgress>
{
    private readonly Assignment _assignment;

    private LloydTrace(Assignment assignment) => _assignment = assignment;

    public List<int[]> Labels { get; } = [];

    public List<float[]> RowLosses { get; } = [];

    public List<long[]> Sizes { get; } = [];

    public List<IterationReport> Reports { get; } = [];

    public float[] Centroids { get; private set; } = [];

    /// <summary>Runs Lloyd on an in-memory sample of <paramref name="rows"/> from the rows at <paramref name="initialRows"/>.</summary>
    public static LloydTrace Run(float[][] rows, int[] initialRows, KMeansOptions options)
    {
        int d = rows[0].Length;
        using TrainingBuffer sample = TrainingBuffer.Create(false, rows.Length, d, Path.GetTempPath());
        sample.WriteRows(0, rows.SelectMany(row => row).ToArray());
        sample.Seal(rows.Length);
        using var packed = new PackedCentroids(options.K, d);
        var assignment = new Assignment(sample, options.K, options.Distance, options.RowsPerBlock, options.BytesPerRange);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.EffectiveParallelism };
        var run = new LloydRun(sample, options, assignment, packed, parallel);
        var trace = new LloydTrace(assignment);
        float[] initial = initialRows.SelectMany(i => rows[i]).ToArray();
        trace.Centroids = run.Run(initial, redo: 0, trace).Centroids;
        return trace;
    }

    /// <summary>Lloyd calls this synchronously after each iteration's assignment.</summary>
    public void Report(TrainingProgress value)
    {
        if (value is not IterationReport report)
            return;
        Reports.Add(report);
        Labels.Add((int[])_assignment.Labels.Clone());
        RowLosses.Add((float[])_assignment.RowLoss.Clone());
        Sizes.Add((long[])_assignment.Sizes.Clone());
    }

    /// <summary>Asserts that two traces agree bit for bit in every iteration.</summary>
    public static void AssertIdentical(LloydTrace expected, LloydTrace actual)
    {
        Assert.Equal(expected.Reports.Count, actual.Reports.Count);
        for (int t = 0; t < expected.Reports.Count; t++)
        {
            Assert.Equal(expected.Labels[t], actual.Labels[t]);
            Assert.Equal(Bits(expected.RowLosses[t]), Bits(actual.RowLosses[t]));
            Assert.Equal(expected.Sizes[t], actual.Sizes[t]);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Reports[t].Loss), BitConverter.DoubleToInt64Bits(actual.Reports[t].Loss));
            Assert.Equal(expected.Reports[t].Reassigned, actual.Reports[t].Reassigned);
            Assert.Equal(expected.Reports[t].RepairedClusters, actual.Reports[t].RepairedClusters);
        }
        Assert.Equal(Bits(expected.Centroids), Bits(actual.Centroids));
    }

    private static int[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToInt32Bits);
}
