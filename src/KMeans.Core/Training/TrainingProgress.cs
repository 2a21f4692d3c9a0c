namespace KMeans.Core.Training;

/// <summary>Something the trainer reports while it works; a caller's IProgress receives the concrete records.</summary>
public abstract record TrainingProgress;

/// <summary>Reading the source and writing the chosen rows into the training buffer.</summary>
/// <param name="TotalRows">Rows in the source, when the format records it.</param>
public sealed record SamplingProgress(long RowsRead, long? TotalRows, long RowsSampled) : TrainingProgress;

/// <summary>Choosing the first centroids (k-means++ picks them one at a time).</summary>
public sealed record InitializationProgress(int Redo, int CentroidsChosen, int K) : TrainingProgress;
