namespace KMeans.Core.Training;

/// <summary>Something the trainer reports while it works; a caller's IProgress receives the concrete records.</summary>
public abstract record TrainingProgress;

/// <summary>Reading the source and writing the chosen rows into the training buffer.</summary>
/// <param name="TotalRows">Rows in the source, when the format records it.</param>
public sealed record SamplingProgress(long RowsRead, long? TotalRows, long RowsSampled) : TrainingProgress;

/// <summary>Choosing the first centroids (k-means++ picks them one at a time).</summary>
public sealed record InitializationProgress(int Redo, int CentroidsChosen, int K) : TrainingProgress;

/// <summary>Hierarchical training finished one node of the tree.</summary>
/// <param name="Depth">1 for the children of the root, 2 below them, and so on.</param>
/// <param name="Node">The node's index among its siblings.</param>
public sealed record NodeProgress(int Depth, int Node, int Siblings, int Centroids, long Rows) : TrainingProgress;

/// <summary>Training continues from a checkpoint.</summary>
/// <param name="Position">Where it resumes, in words ("iteration 7", "5 finished tree nodes", "finished after 12 iterations").</param>
/// <param name="Finished">The checkpoint holds a finished training, whose result is returned without training (balanced
/// again on the same sample when size bounds are asked for: the checkpoint keeps it as it was before balancing).</param>
public sealed record ResumeProgress(string Path, string Position, bool Finished) : TrainingProgress;

/// <summary>
/// A checkpoint could not be written (a full disk, a removed directory): training goes on, the file keeps the last
/// state written, and the next write is tried when the interval has passed again (the final one at the end).
/// </summary>
/// <param name="Problem">Why the write failed, as the error would have said it.</param>
/// <param name="Finished">The write was the last one, of the finished training: nothing goes on after it.</param>
public sealed record CheckpointWriteFailed(string Path, string Problem, bool Finished) : TrainingProgress;

/// <summary>
/// A reduced-dimension training's final pass reading the input again for the sampled rows' full-dimension values.
/// </summary>
/// <param name="RowsRead">Input rows read so far.</param>
/// <param name="TotalRows">Rows in the input, when the format records it.</param>
public sealed record FinalPassProgress(long RowsRead, long? TotalRows) : TrainingProgress;
