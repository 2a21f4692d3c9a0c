using KMeans.Core;

namespace KMeans.PowerShell.Errors;

/// <summary>
/// The one table from the core's option names to the parameters users type, so that a core message such as "Train
/// with OnDisk" reads "Train with -OnDisk" in an ErrorRecord.
/// </summary>
internal static class ParameterNames
{
    public static string Of(KMeansOption option) => option switch
    {
        KMeansOption.SampleRate => "-SampleRate",
        KMeansOption.OnDisk => "-OnDisk",
        KMeansOption.TempDirectory => "-TempDirectory",
        KMeansOption.SkipNonFinite => "-SkipNonFinite",
        KMeansOption.MaxIterations => "-MaxIterations",
        KMeansOption.TrainDimension => "-TrainDimension",
        _ => throw new ArgumentOutOfRangeException(nameof(option), option, "No parameter is named for this option."),
    };
}
