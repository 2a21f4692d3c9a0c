using KMeans.Core.Files;

namespace KMeans.Core.Training.Checkpoints;

/// <summary>
/// Keeps a second training off a checkpoint that one is using: an exclusive lock (flock on Linux and macOS, a share
/// mode on Windows) on a file beside it, '.&lt;name&gt;.lock', held for the whole training and released by the system when
/// the process ends, however it ends. Two scheduled runs that overlap would otherwise both train and overwrite each
/// other's checkpoint. The file goes when the training ends, or when its process is told to terminate
/// (<see cref="LiveTemporaries"/>); one that a killed training left is taken over by the next.
/// </summary>
internal sealed class CheckpointLock : IDisposable
{
    private readonly FileStream _held;
    private readonly string _path;

    private CheckpointLock(FileStream held, string path)
    {
        _held = held;
        _path = path;
        LiveTemporaries.Add(path);
    }

    /// <param name="checkpoint">The checkpoint's full path, as <see cref="TrainingCheckpointer.Prepare"/> gives it.</param>
    public static CheckpointLock Take(string checkpoint)
    {
        string path = LockPath(checkpoint);
        try
        {
            return new CheckpointLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None,
                bufferSize: 1, FileOptions.DeleteOnClose), path);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw InUse(checkpoint, path, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KMeansException(KMeansErrorKind.FileNotWritable,
                $"Cannot write the checkpoint '{checkpoint}': {FileFailure.Describe(e, path)}", checkpoint, e);
        }
    }

    /// <summary>
    /// Refuses, as <see cref="Take"/> would, a checkpoint that another training holds, without creating or removing
    /// anything: the checks before a training (and -WhatIf) say it is in use before saying anything about the
    /// checkpoint file, which that training may not have written yet.
    /// </summary>
    public static void ThrowIfHeld(string checkpoint)
    {
        string path = LockPath(checkpoint);
        try
        {
            new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, bufferSize: 1).Dispose();
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && File.Exists(path))
        {
            throw InUse(checkpoint, path, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No lock file, or one this user cannot open: Take tells which when the training starts.
        }
    }

    private static string LockPath(string checkpoint) =>
        Path.Combine(Path.GetDirectoryName(checkpoint)!, $".{AtomicFile.TemporaryStem(Path.GetFileName(checkpoint))}.lock");

    private static KMeansException InUse(string checkpoint, string path, IOException e) =>
        new(KMeansErrorKind.CheckpointInUse,
            $"The checkpoint '{checkpoint}' is in use by another training (it holds '{path}'). Wait for that training to end, or give this one another -CheckpointPath.",
            checkpoint, e);

    public void Dispose()
    {
        LiveTemporaries.Remove(_path);
        _held.Dispose();
    }
}
