using System.Globalization;
using KMeans.Core.Sampling;

namespace KMeans.Core.Training.Checkpoints;

/// <summary>
/// Everything a checkpoint holds. Random state is the seed alone: every random stream (sampling, each redo's
/// initialisation, each tree node) is derived from (seed, stream) and is used up before its run's first iteration, so
/// nothing drawn mid-run needs saving. Bound state is the skip schedule alone: <see cref="SkipBounds"/> is recomputed
/// from the centroids at each assignment, and the labels it tests against are recomputed by one assignment pass.
/// </summary>
internal sealed class CheckpointState
{
    /// <summary>
    /// Whether the saved losses were summed as this version sums them, so that a resumed run's recomputed loss must
    /// equal them bit for bit; false for a checkpoint of format 1 to 6, whose L2 losses differ in the last bits, or lie
    /// above a recomputed one where float32 rounding chose rows' centroids.
    /// </summary>
    public bool ExactLosses { get; init; } = true;

    /// <summary>
    /// Whether the sample's probe hashes every row's hash, as this version takes it
    /// (<see cref="CheckpointFingerprint.Sample"/>); false for a checkpoint of format 1 to 5, which hashed the values of
    /// 64 rows (<see cref="CheckpointFingerprint.FullRowSample"/>).
    /// </summary>
    public bool ProbesRowHashes { get; init; } = true;

    /// <summary>Settings that fix the result, as (name, value) in a stable order: resuming compares them one by one.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Settings { get; init; }

    /// <summary>The input, as (name, value): each file's path with its size and modification time, or the pipeline.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Inputs { get; init; }

    public required int Seed { get; init; }

    public required SampleFingerprint Sample { get; init; }

    public required SamplingSummary? Sampling { get; init; }

    /// <summary>The flat training, or a tree's top level.</summary>
    public RunProgress? Flat { get; set; }

    /// <summary>Finished nodes of a tree's first level, by index.</summary>
    public SortedDictionary<int, RunSnapshot> Nodes { get; } = [];

    /// <summary>The global Lloyd passes after a tree.</summary>
    public RunProgress? Refine { get; set; }

    /// <summary>The training's result, once it finished.</summary>
    public RunSnapshot? Final { get; set; }

    /// <summary>With <see cref="Final"/>, the levels of its tree (empty for a flat training).</summary>
    public IReadOnlyList<HierarchyLevel> FinalLevels { get; set; } = [];

    /// <summary>With <see cref="Final"/>, the sample's distinct rows when there were fewer than K.</summary>
    public int? FinalDistinctRows { get; set; }

    /// <summary>With <see cref="Final"/> of a training in a reduced dimension, its loss in that dimension.</summary>
    public double? FinalTrainDimensionLoss { get; set; }

    /// <summary>Whether the state holds progress to continue from: a flat run, finished tree nodes or refinement.</summary>
    public bool HasProgress => Flat is not null || Nodes.Count > 0 || Refine is not null;

    /// <summary>Where the training stood, in words that follow "resumed at", for progress and messages.</summary>
    public string Position()
    {
        if (Final is not null)
        {
            // A reduced training's finished checkpoint keeps its progress, from which it finishes again.
            return HasProgress
                ? $"the end of the training in its training dimension, after {Final.Iterations} iterations"
                : $"finished after {Final.Iterations} iterations";
        }
        if (Refine is { Current: { } refining })
            return $"refinement iteration {refining.Iterations}";
        if (Nodes.Count > 0)
            return Nodes.Count == 1 ? "the tree with 1 node finished" : $"the tree with {Nodes.Count} nodes finished";
        if (Flat is { Finished: true, Best: { } top })
        {
            // A tree's top level has fewer centroids than K; a flat run of K that finished without a result is a
            // reduced training stopped in its final pass.
            if (top.K.ToString(CultureInfo.InvariantCulture) != Settings.First(setting => setting.Key == "K").Value)
                return "the end of the tree's top level";
            return Settings.Any(setting => setting.Key == CheckpointFingerprint.TrainDimensionName)
                ? $"the end of the training in its training dimension, after {top.Iterations} iterations"
                : $"the end of the training, after {top.Iterations} iterations";
        }
        if (Flat is { Current: { } current })
            return $"iteration {current.Iterations}" + (current.Redo > 0 ? $" of redo {current.Redo + 1}" : "");
        return "the start";
    }
}
