using KMeans.Core.Buffers;
using KMeans.Core.Planning;
using KMeans.Core.Training;
using Xunit.Abstractions;

namespace KMeans.Core.Tests.Planning;

/// <summary>
/// The model against real training runs on this machine: predicted and measured times must agree within a factor
/// of <see cref="Factor"/> either way, generous because CI machines are shared and noisy, tight enough that a wrong
/// cost term (a missing factor of K, of the dimension or of the thread count) fails.
/// </summary>
[Collection(TimingCollection.Name)]
public class PredictionAccuracyTests(ITestOutputHelper output)
{
    private const double Factor = 3;
    private const int Dimension = 64;

    [Fact]
    public void FlatIterationsAndTrainingTakeAboutThePredictedTime()
    {
        var options = new KMeansOptions { K = 256, Seed = 7, MaxIterations = 10, Tolerance = 0, Hierarchical = HierarchicalMode.Off,
            SkipByBounds = false };
        CalibrationResult calibration = Calibrate();
        using TrainingBuffer sample = UniformSample(64 * 256);

        KMeansResult result = KMeansTrainer.Train(sample, options);
        TrainingTimeEstimate predicted = TrainingTimeEstimate.Predict(calibration, sample.RowCount, options.K, Dimension,
            options.HierarchicalK, options.MaxIterations);

        TimeSpan medianIteration = result.History.Select(r => r.Elapsed).Order().ElementAt(result.History.Count / 2);
        output.WriteLine($"flat iteration: predicted {predicted.FlatIteration}, measured {medianIteration}");
        output.WriteLine($"flat training: predicted {predicted.FlatTraining}, measured {result.Duration}");
        AssertWithinFactor(predicted.FlatIteration, medianIteration);
        AssertWithinFactor(predicted.FlatTraining, result.Duration);
    }

    [Fact]
    public void HierarchicalTrainingTakesAboutThePredictedTime()
    {
        var options = new KMeansOptions { K = 1024, Seed = 7, MaxIterations = 10, Tolerance = 0, HierarchicalK = 16,
            SkipByBounds = false };
        CalibrationResult calibration = Calibrate();
        using TrainingBuffer sample = UniformSample(64 * 1024);

        KMeansResult result = KMeansTrainer.Train(sample, options);
        TrainingTimeEstimate predicted = TrainingTimeEstimate.Predict(calibration, sample.RowCount, options.K, Dimension,
            options.HierarchicalK, options.MaxIterations);

        output.WriteLine($"tree training: predicted {predicted.HierarchicalTraining}, measured {result.Duration}");
        output.WriteLine($"flat training would be: predicted {predicted.FlatTraining}");
        AssertWithinFactor(predicted.HierarchicalTraining!.Value, result.Duration);
    }

    private CalibrationResult Calibrate()
    {
        CalibrationResult calibration = KernelCalibration.Measure(Dimension, Environment.ProcessorCount,
            KernelCalibration.DefaultBudget, CancellationToken.None);
        output.WriteLine($"calibration: {calibration}");
        return calibration;
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

    private static void AssertWithinFactor(TimeSpan predicted, TimeSpan measured) =>
        Assert.True(predicted < measured * Factor && measured < predicted * Factor,
            $"predicted {predicted}, measured {measured}: more than {Factor}× apart");
}
