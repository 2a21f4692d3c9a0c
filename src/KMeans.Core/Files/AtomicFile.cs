using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using KMeans.Core.Buffers;

namespace KMeans.Core.Files;

/// <summary>
/// The one way every file of the module is written: into a temporary file in the target's directory, flushed to disk,
/// then renamed over the target, so a reader never sees a partial file and a failed or cancelled write leaves the
/// target byte-identical and no temporary file behind (a SIGTERM or SIGHUP too, see <see cref="LiveTemporaries"/>).
/// Only a regular file (or a symbolic link, which is replaced by a file rather than followed) may be replaced; a
/// replaced file keeps its permission bits, and its owner when running as root. Messages name the target; the
/// temporary path appears only in inner exceptions.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Why a target's directory is not there, for messages: "the directory '…' does not exist", or, where a part of
    /// the path is a file, "'…' is a file, not a directory" (naming the file, which is what to fix).
    /// </summary>
    public static string MissingDirectory(string directory)
    {
        for (string? part = directory; !string.IsNullOrEmpty(part); part = Path.GetDirectoryName(part))
        {
            if (File.Exists(part))
                return $"'{part}' is a file, not a directory";
            if (Directory.Exists(part))
                break;
        }
        return $"the directory '{directory}' does not exist";
    }

    private const string TemporarySuffix = ".tmp";
    private const int RandomPartLength = 32;

    // Linux and macOS allow 255 bytes per name; the temporary name must fit whenever the target's name does.
    private const int MaxNameBytes = 255;

    private static readonly DateTime ProcessStart = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    /// <summary>
    /// Writes <paramref name="target"/> with <paramref name="write"/>. <paramref name="write"/> should check
    /// <paramref name="cancellationToken"/> between chunks; the token is checked once more before the rename.
    /// </summary>
    public static void Write(string target, bool overwrite, Action<Stream> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        using AtomicFileWrite file = Begin(target, overwrite, cancellationToken);
        try
        {
            write(file.Stream);
        }
        catch (Exception e) when (file.Translate(e) is { } translated)
        {
            throw translated;
        }
        file.Commit(cancellationToken);
    }

    /// <summary>
    /// Starts a write whose content arrives over time (chunk by chunk from a pipeline): the caller writes to
    /// <see cref="AtomicFileWrite.Stream"/>, then calls <see cref="AtomicFileWrite.Commit"/>; disposing without a commit
    /// removes the temporary file and leaves the target as it was.
    /// </summary>
    public static AtomicFileWrite Begin(string target, bool overwrite, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        target = Path.GetFullPath(target);
        string directory = Path.GetDirectoryName(target) ?? throw NotRegular(target, "a root directory");
        if (!Directory.Exists(directory))
            throw new KMeansException(KMeansErrorKind.FileNotFound, $"Cannot write '{target}': {MissingDirectory(directory)}.", target);
        UnixFileStatus? existing = CheckTarget(target, overwrite);
        cancellationToken.ThrowIfCancellationRequested();

        string stem = TemporaryStem(Path.GetFileName(target));
        RemoveStaleTemporaries(directory, stem);
        string temporary = Path.Combine(directory, $".{stem}.{Guid.NewGuid():N}{TemporarySuffix}");
        return new AtomicFileWrite(target, temporary, overwrite, existing);
    }

    /// <summary>The prefix shared by every temporary file of one target: its name, or a hash when the name is long.</summary>
    internal static string TemporaryStem(string fileName)
    {
        int overhead = 2 + RandomPartLength + TemporarySuffix.Length;
        if (Encoding.UTF8.GetByteCount(fileName) + overhead <= MaxNameBytes)
            return fileName;
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(fileName));
        return "kmeans-" + Convert.ToHexString(hash, 0, 16).ToLowerInvariant();
    }

    /// <summary>A target that exists and may not be replaced without -Force; a link that leads nowhere is named as one.</summary>
    public static KMeansException AlreadyExists(string target, Exception? inner = null) =>
        new(KMeansErrorKind.FileExists, SymbolicLinks.WhereDanglingLeads(Path.GetFullPath(target)) is { } end
                ? $"'{target}' is a symbolic link that leads to '{end}', which does not exist. Use -Force to replace the link with the file."
                : $"The file '{target}' already exists. Use -Force to replace it.",
            target, inner);

    private static UnixFileStatus? CheckTarget(string target, bool overwrite)
    {
        UnixFileStatus? status = UnixFileStatus.Of(target);
        bool exists = status is not null || File.Exists(target) || Directory.Exists(target);
        if (!exists)
            return null;
        if (Directory.Exists(target) && status?.Type != UnixFileType.SymbolicLink)
            throw NotRegular(target, "a directory");
        if (status is { Type: not (UnixFileType.Regular or UnixFileType.SymbolicLink) } special)
            throw NotRegular(target, Kind(special.Type));
        // A link is replaced, not followed; but one to a device or a pipe (/dev/stdout) stands for that stream, and
        // replacing it would break it for every later process.
        if (status is { Type: UnixFileType.SymbolicLink }
            && UnixFileStatus.Of(target, followLinks: true) is { Type: not (UnixFileType.Regular or UnixFileType.Directory) } linked)
            throw NotRegular(target, $"a symbolic link to {Kind(linked.Type)}");
        if (!overwrite)
            throw AlreadyExists(target);
        return status is { Type: UnixFileType.Regular } ? status : null;
    }

    private static string Kind(UnixFileType type) => type switch
    {
        UnixFileType.Fifo => "a FIFO (named pipe)",
        UnixFileType.CharacterDevice => "a character device",
        UnixFileType.BlockDevice => "a block device",
        UnixFileType.Socket => "a socket",
        _ => "not a regular file",
    };

    private static KMeansException NotRegular(string target, string what) =>
        new(KMeansErrorKind.TargetNotRegularFile,
            $"Cannot write '{target}': it is {what}, and only a regular file may be replaced.", target);

    internal static void KeepModeAndOwner(string target, string temporary, UnixFileStatus status)
    {
        if (OperatingSystem.IsWindows())
            return;
        File.SetUnixFileMode(temporary, File.GetUnixFileMode(target));
        if (UnixFileStatus.IsRoot)
            UnixFileStatus.TryChangeOwner(temporary, status.UserId, status.GroupId);
    }

    /// <summary>Removes the temporary files of <paramref name="target"/> that a killed process left behind.</summary>
    public static void RemoveLeftovers(string target)
    {
        target = Path.GetFullPath(target);
        if (Path.GetDirectoryName(target) is { } directory && Directory.Exists(directory))
            RemoveStaleTemporaries(directory, TemporaryStem(Path.GetFileName(target)));
    }

    /// <summary>
    /// Deletes temporary files of the same target that a killed process left behind: named exactly as this class names
    /// them, older than this process, so no running write of ours can own them, and held by no writer of another
    /// process (whose buffered writes may leave its file's date long before this process started).
    /// </summary>
    private static void RemoveStaleTemporaries(string directory, string stem)
    {
        string prefix = "." + stem + ".";
        try
        {
            foreach (string path in Directory.EnumerateFiles(directory, prefix + "*" + TemporarySuffix))
            {
                string name = Path.GetFileName(path);
                string middle = name.Substring(prefix.Length, name.Length - prefix.Length - TemporarySuffix.Length);
                if (middle.Length == RandomPartLength && middle.All(char.IsAsciiHexDigitLower)
                    && File.GetLastWriteTimeUtc(path) < ProcessStart)
                    ExclusiveHold.DeleteUnlessHeld(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Cleaning up after someone else must never stop this write.
        }
    }

    internal static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original failure matters more than a temporary file we could not remove.
        }
    }
}
