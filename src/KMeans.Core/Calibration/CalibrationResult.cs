namespace KMeans.Core.Calibration;

/// <summary>
/// How fast this machine runs the three kinds of work a training run is made of, as measured by
/// <see cref="KernelCalibration.Measure"/> on <see cref="Threads"/> threads at <see cref="Dimension"/> dimensions.
/// </summary>
/// <param name="Dimension">The dimension the rates were measured at (the requested one, at most
/// <see cref="KernelCalibration.MaxDimension"/>).</param>
/// <param name="Threads">Threads the rates were measured with; every rate is their sum.</param>
/// <param name="KernelGflops">Assignment step: 10⁹ flops per second, counting 2·d flops per (row, centroid) pair and
/// the whole assignment (kernel and per-row bookkeeping) as the time.</param>
/// <param name="UpdateValuesPerSecond">Update step: sample values (rows × d) added into the centroid sums per second.</param>
/// <param name="SeedingValuesPerSecond">k-means++ seeding: sample values per second over its distance passes, each
/// comparing every row with one or a few candidate centroids.</param>
/// <param name="CentroidGroup">The kernel scores centroids in whole groups of this many (64 for the vector kernels, 1
/// for the portable one), so a K is costed as whole groups.</param>
/// <param name="Elapsed">Wall-clock time the calibration took, data generation included.</param>
public sealed record CalibrationResult(
    int Dimension,
    int Threads,
    double KernelGflops,
    double UpdateValuesPerSecond,
    double SeedingValuesPerSecond,
    int CentroidGroup,
    TimeSpan Elapsed);
