using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using KMeans.Core.Planning;

namespace KMeans.Core.Buffers;

/// <summary>
/// The sample in a temporary file that is written sequentially and then memory-mapped read-only, so that the OS page
/// cache, not the process, holds it. The file is private to the user and cannot outlive the process: on Unix it is
/// unlinked right after it is opened (the open handle keeps the data), on Windows it is opened delete-on-close.
/// Whether the sample fits in the directory is decided before, by <see cref="ResourcePlan.EnsureFitsOnDisk"/>; the
/// file's space is reserved when it is created, so a disk filled meanwhile fails here, not halfway through sampling.
/// </summary>
public sealed unsafe class MemoryMappedBuffer : TrainingBuffer
{
    private readonly string _directory;
    private FileStream? _file;
    private MemoryMappedFile? _map;
    private MemoryMappedViewAccessor? _view;
    private bool _pointerAcquired;

    public MemoryMappedBuffer(long capacityRows, int dimension, string tempDirectory)
        : base(capacityRows, dimension)
    {
        string directory = Path.GetFullPath(tempDirectory);
        long needed = ByteCount(capacityRows);
        RemoveLeftovers(directory);
        FilePath = Path.Combine(directory, $"{FilePrefix}{Guid.NewGuid():N}{FileSuffix}");
        _directory = directory;
        _file = OpenPrivateFile(FilePath, directory, needed);
    }

    private const string FilePrefix = "kmeans-sample-";
    private const string FileSuffix = ".f32";

    /// <summary>
    /// On Unix a sample file lives microseconds under its name (on Windows it keeps it, held, for the whole run); one
    /// this old that nobody holds was left by a process that died.
    /// </summary>
    private static readonly TimeSpan LeftoverAge = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Deletes sample files that a process killed between creating and unlinking its file left behind (a helper found
    /// one of 52 MB, its space reserved though it showed 0 bytes): named as this class names them, held by no process,
    /// and older than <see cref="LeftoverAge"/>. A file of a process still creating its own is held (FileShare.None is
    /// an exclusive lock) and new; where locks are not shared (NFS without locking, another host) the age alone keeps
    /// it, and were it deleted all the same, that process would only lose the name it was about to unlink.
    /// </summary>
    private static void RemoveLeftovers(string directory)
    {
        string[] candidates;
        try
        {
            candidates = Directory.GetFiles(directory, FilePrefix + "*" + FileSuffix);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return; // Cleaning up after another process must never stop this training.
        }
        foreach (string path in candidates)
        {
            string middle = Path.GetFileName(path)[FilePrefix.Length..^FileSuffix.Length];
            if (middle.Length == 32 && middle.All(char.IsAsciiHexDigitLower)
                && File.GetLastWriteTimeUtc(path) < DateTime.UtcNow - LeftoverAge)
                ExclusiveHold.DeleteUnlessHeld(path);
        }
    }

    /// <summary>Where the file was created; on Unix it is already unlinked, so the name no longer appears.</summary>
    public string FilePath { get; }

    public override bool IsOnDisk => true;

    protected override void WriteRowsCore(long firstRow, ReadOnlySpan<float> rows)
    {
        try
        {
            RandomAccess.Write(_file!.SafeFileHandle, MemoryMarshal.AsBytes(rows), ByteCount(firstRow));
        }
        catch (IOException e) when (IsDiskFull(e))
        {
            throw DiskFull(_directory, ByteCount(CapacityRows), new DriveInfo(_directory).AvailableFreeSpace, e);
        }
    }

    protected override float* SealCore(long rowCount)
    {
        long bytes = ByteCount(rowCount);
        _file!.SetLength(bytes);
        if (bytes == 0)
            return null;
        _map = MemoryMappedFile.CreateFromFile(_file, mapName: null, bytes, MemoryMappedFileAccess.Read,
            HandleInheritability.None, leaveOpen: true);
        _view = _map.CreateViewAccessor(0, bytes, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _pointerAcquired = true;
        MemoryAdvice.Sequential(pointer + _view.PointerOffset, bytes);
        return (float*)(pointer + _view.PointerOffset);
    }

    public override void PrefetchRows(long firstRow, long count)
    {
        if (_view is null || count <= 0)
            return;
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        try
        {
            MemoryAdvice.WillNeed(pointer + _view.PointerOffset + ByteCount(firstRow), ByteCount(count));
        }
        finally
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }

    /// <summary>
    /// Creates the file with all its space reserved (where the file system can), so that another writer filling the
    /// disk after the free-space check fails this run here, with a clear error, rather than halfway through sampling.
    /// </summary>
    private static FileStream OpenPrivateFile(string path, string directory, long bytes)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None,
            PreallocationSize = bytes,
        };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        FileStream file;
        try
        {
            file = new FileStream(path, options);
        }
        catch (IOException e) when (new DriveInfo(directory).AvailableFreeSpace is long free && free < bytes)
        {
            throw DiskFull(directory, bytes, free, e);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new KMeansException(KMeansErrorKind.TempDirectoryNotWritable,
                $"Cannot create the on-disk sample in '{directory}': {FileFailure.Describe(e, path)}", directory, e);
        }
        if (!OperatingSystem.IsWindows())
            File.Delete(path);
        return file;
    }

    private static KMeansException DiskFull(string directory, long needed, long free, Exception? inner = null) =>
        new(KMeansErrorKind.InsufficientDiskSpace, ResourcePlan.DiskFull(directory, needed, free, fitsInMemory: needed <= AvailableMemory.Bytes()), directory, inner);

    /// <summary>ENOSPC or EDQUOT on Unix (the errno is the HResult there), ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL on Windows.</summary>
    private static bool IsDiskFull(IOException e) =>
        OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) is 112 or 39 : e.HResult is 28 or 122;

    protected override void Release(bool disposing)
    {
        if (!disposing)
            return;
        if (_pointerAcquired)
        {
            _view!.SafeMemoryMappedViewHandle.ReleasePointer();
            _pointerAcquired = false;
        }
        _view?.Dispose();
        _view = null;
        _map?.Dispose();
        _map = null;
        _file?.Dispose();
        _file = null;
    }
}
