using System.Diagnostics;
using KMeans.Core.Buffers;
using KMeans.Core.Calibration;
using KMeans.Core.Training;
using Xunit.Abstractions;

namespace KMeans.Core.Tests.Calibration;

/// <summary>
/// The model against real training runs on this machine: predicted and measured times must agree within a factor
/// of <see cref="Factor"/> either way, generous because CI machines are shared and noisy, tight enough that a wrong
/// cost term (a missing factor of K or of the dimension) fails. Other work on a shared machine takes the cores from the
/// run, so a run's times are scaled by the share of the cores the process had while it ran (see
/// <see cref="CoreShare"/>); the calibration keeps its fastest rounds, which contention slows less. A disagreement
/// is measured again, up to <see cref="Attempts"/> times; a wrong model disagrees every time.
/// </summary>
[Collection(TimingCollection.Name)]
public class PredictionAccuracyTests(ITestOutputHelper output)
{
    private const double Factor = 3;
    private const int Attempts = 3;

    // Wide rows keep the per-row work the model leaves out (label scans, random draws) small, even in Debug builds.
    private const int Dimension = 128;

    [Fact]
    public void FlatIterationsAndTrainingTakeAboutThePredictedTime()
    {
        var options = new KMeansOptions { K = 256, Seed = 7, MaxIterations = 10, Tolerance = 0, Hierarchical = HierarchicalMode.Off,
            SkipByBounds = false };
        using TrainingBuffer sample = UniformSample(32 * 256);
        WarmUp(options);

        AgreesInOneAttempt(calibration =>
        {
            KMeansResult result = KMeansTrainer.Train(sample, options);
            TrainingTimeEstimate predicted = TrainingTimeEstimate.Predict(calibration, sample.RowCount, options.K, Dimension,
                options.HierarchicalK, options.MaxIterations);
            TimeSpan medianIteration = result.History.Select(r => r.Elapsed).Order().ElementAt(result.History.Count / 2);
            return [("flat iteration", predicted.FlatIteration, medianIteration), ("flat training", predicted.FlatTraining, result.Duration)];
        });
    }

    [Fact]
    public void HierarchicalTrainingTakesAboutThePredictedTime()
    {
        var options = new KMeansOptions { K = 1024, Seed = 7, MaxIterations = 10, Tolerance = 0, HierarchicalK = 16,
            SkipByBounds = false };
        using TrainingBuffer sample = UniformSample(32 * 1024);
        WarmUp(options);

        AgreesInOneAttempt(calibration =>
        {
            KMeansResult result = KMeansTrainer.Train(sample, options);
            TrainingTimeEstimate predicted = TrainingTimeEstimate.Predict(calibration, sample.RowCount, options.K, Dimension,
                options.HierarchicalK, options.MaxIterations);
            return [("tree training", predicted.HierarchicalTraining!.Value, result.Duration)];
        });
    }

    /// <summary>
    /// Trains once on a smaller sample, untimed, so that tiered JIT has compiled the trainer as it has early in any long
    /// run; a sub-second run in a fresh process is otherwise mostly JIT warm-up, which the model rightly leaves out.
    /// </summary>
    private static void WarmUp(KMeansOptions options)
    {
        using TrainingBuffer sample = UniformSample(8 * options.K);
        KMeansTrainer.Train(sample, options with { MaxIterations = 2 });
    }

    private void AgreesInOneAttempt(Func<CalibrationResult, (string What, TimeSpan Predicted, TimeSpan Measured)[]> attempt)
    {
        var disagreements = new List<string>();
        for (int i = 0; i < Attempts; i++)
        {
            CalibrationResult calibration = KernelCalibration.Measure(Dimension, Environment.ProcessorCount,
                KernelCalibration.DefaultBudget, CancellationToken.None);
            output.WriteLine($"calibration: {calibration}");
            ((string What, TimeSpan Predicted, TimeSpan Measured)[] wallTimes, double runShare) = CoreShare(() => attempt(calibration));
            output.WriteLine($"run: share of the cores {runShare:F2}");
            (string What, TimeSpan Predicted, TimeSpan Measured)[] times = wallTimes
                .Select(t => (t.What, t.Predicted, t.Measured * runShare)).ToArray();
            foreach ((string what, TimeSpan predicted, TimeSpan measured) in times)
                output.WriteLine($"{what}: predicted {predicted}, measured {measured} (in CPU time)");
            string[] apart = times.Where(t => !(t.Predicted < t.Measured * Factor && t.Measured < t.Predicted * Factor))
                .Select(t => $"{t.What}: predicted {t.Predicted}, measured {t.Measured}").ToArray();
            if (apart.Length == 0)
                return;
            disagreements.AddRange(apart);
        }
        Assert.Fail($"More than {Factor}× apart in all {Attempts} attempts:\n{string.Join("\n", disagreements)}");
    }

    /// <summary>
    /// Runs <paramref name="work"/> and returns the share of the machine's cores this process had meanwhile: its CPU
    /// time over wall time × cores, at most 1. Serial parts of a run lower it on a quiet machine too, which the
    /// factor of <see cref="Factor"/> absorbs.
    /// </summary>
    private static (T Result, double Share) CoreShare<T>(Func<T> work)
    {
        using Process process = Process.GetCurrentProcess();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        T result = work();
        wall.Stop();
        process.Refresh();
        TimeSpan cpu = process.TotalProcessorTime - cpuBefore;
        double share = cpu.TotalSeconds / (wall.Elapsed.TotalSeconds * Environment.ProcessorCount);
        return (result, Math.Clamp(share, 0.05, 1));
    }

    private static InMemoryBuffer UniformSample(int rows)
    {
        var sample = new InMemoryBuffer(rows, Dimension);
        float[][] values = TestData.Uniform(rows, Dimension, seed: 3);
        for (int i = 0; i < rows; i++)
            sample.WriteRows(i, values[i]);
        sample.Seal(rows);
        return sample;
    }
}
