namespace KMeans.Core;

/// <summary>
/// The options a core message may tell the user to change. Each member is named as the KMeansOptions property it
/// stands for; a front end names them its own way through <see cref="OptionMessage.Render"/> (the
/// PowerShell layer's table maps each to its parameter).
/// </summary>
public enum KMeansOption
{
    SampleRate,
    OnDisk,
    TempDirectory,
    SkipNonFinite,
    MaxIterations,
    TrainDimension,
}
