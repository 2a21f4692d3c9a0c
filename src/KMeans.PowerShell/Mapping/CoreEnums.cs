using KMeans.Core.Files;
using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.PowerShell.Mapping;

/// <summary>Maps the public enums of the cmdlet assembly to the engine's, which PowerShell users never see.</summary>
internal static class CoreEnums
{
    public static DistanceMetric ToCore(this KMeansDistance distance) => distance switch
    {
        KMeansDistance.L2 => DistanceMetric.L2,
        KMeansDistance.Cosine => DistanceMetric.Cosine,
        KMeansDistance.Dot => DistanceMetric.Dot,
        _ => throw new ArgumentOutOfRangeException(nameof(distance), distance, null),
    };

    public static KMeansDistance ToPublic(this DistanceMetric distance) => distance switch
    {
        DistanceMetric.L2 => KMeansDistance.L2,
        DistanceMetric.Cosine => KMeansDistance.Cosine,
        DistanceMetric.Dot => KMeansDistance.Dot,
        _ => throw new ArgumentOutOfRangeException(nameof(distance), distance, null),
    };

    public static InitMethod ToCore(this KMeansInitMethod init) => init switch
    {
        KMeansInitMethod.Random => InitMethod.Random,
        KMeansInitMethod.KMeansPlusPlus => InitMethod.KMeansPlusPlus,
        KMeansInitMethod.KMeansParallel => InitMethod.KMeansParallel,
        KMeansInitMethod.Auto => InitMethod.Auto,
        _ => throw new ArgumentOutOfRangeException(nameof(init), init, null),
    };

    public static HierarchicalMode ToCore(this KMeansHierarchy hierarchy) => hierarchy switch
    {
        KMeansHierarchy.Auto => HierarchicalMode.Auto,
        KMeansHierarchy.On => HierarchicalMode.On,
        KMeansHierarchy.Off => HierarchicalMode.Off,
        _ => throw new ArgumentOutOfRangeException(nameof(hierarchy), hierarchy, null),
    };

    public static VectorFileFormat ToCore(this KMeansCentroidFormat format) => format switch
    {
        KMeansCentroidFormat.Arrow => VectorFileFormat.Arrow,
        KMeansCentroidFormat.ArrowStream => VectorFileFormat.ArrowStream,
        KMeansCentroidFormat.Npy => VectorFileFormat.Npy,
        KMeansCentroidFormat.Csv => VectorFileFormat.Csv,
        KMeansCentroidFormat.Json => VectorFileFormat.Json,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    public static VectorFileFormat ToCore(this KMeansVectorFormat format) => format switch
    {
        KMeansVectorFormat.Arrow => VectorFileFormat.Arrow,
        KMeansVectorFormat.ArrowStream => VectorFileFormat.ArrowStream,
        KMeansVectorFormat.Parquet => VectorFileFormat.Parquet,
        KMeansVectorFormat.Npy => VectorFileFormat.Npy,
        KMeansVectorFormat.Fvecs => VectorFileFormat.Fvecs,
        KMeansVectorFormat.Bvecs => VectorFileFormat.Bvecs,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };
}
