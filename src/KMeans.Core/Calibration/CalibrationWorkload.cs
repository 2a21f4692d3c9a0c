using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Numerics;
using KMeans.Core.Training;

namespace KMeans.Core.Calibration;

/// <summary>
/// Synthetic uniform rows and the trainer's own steps over them, as <see cref="KernelCalibration"/> times them: an
/// assignment to <see cref="KernelCalibration.Centroids"/> centroids (the sample's first rows), an update from its
/// labels, and greedy k-means++ for <see cref="KernelCalibration.SeedingCentroids"/> centroids.
/// </summary>
internal sealed class CalibrationWorkload : IDisposable
{
    private readonly InMemoryBuffer _sample;
    private readonly PackedCentroids _packed;
    private readonly Assignment _assignment;
    private readonly ParallelOptions _parallel;
    private readonly CentroidUpdate _update;
    private readonly float[] _updated;
    private int _draws;

    public CalibrationWorkload(long rows, int dimension, int threads, CancellationToken cancellationToken)
    {
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken };
        _sample = SyntheticSample(rows, dimension);
        _packed = new PackedCentroids(KernelCalibration.Centroids, dimension);
        var centroids = new float[(long)KernelCalibration.Centroids * dimension];
        _sample.Rows(0, KernelCalibration.Centroids).CopyTo(centroids);
        _packed.Pack(centroids, DistanceMetric.L2);
        _assignment = new Assignment(_sample, KernelCalibration.Centroids, DistanceMetric.L2, KMeansOptions.DefaultRowsPerBlock);
        _update = new CentroidUpdate(KernelCalibration.Centroids, dimension, DistanceMetric.L2);
        _updated = new float[centroids.Length];
        Assign();
    }

    /// <summary>Sample values (rows × dimension) each step reads.</summary>
    public double Values => (double)_sample.RowCount * _sample.Dimension;

    public void Assign() => _assignment.Run(_packed, _parallel);

    public void Update() => _update.Run(_sample, _assignment.Labels, _assignment.Sizes, _updated, _parallel);

    public void Seed() => KMeansPlusPlusInitializer.Choose(_sample, KernelCalibration.SeedingCentroids,
        new SeededRandom(1, ++_draws), _assignment.Blocks, _parallel, _ => { });

    public void Dispose()
    {
        _packed.Dispose();
        _sample.Dispose();
    }

    private static InMemoryBuffer SyntheticSample(long rows, int dimension)
    {
        var sample = new InMemoryBuffer(rows, dimension);
        try
        {
            var random = new Random(20_240_601);
            var row = new float[dimension];
            for (long i = 0; i < rows; i++)
            {
                for (int j = 0; j < dimension; j++)
                    row[j] = random.NextSingle();
                sample.WriteRows(i, row);
            }
            sample.Seal(rows);
            return sample;
        }
        catch
        {
            sample.Dispose();
            throw;
        }
    }
}
