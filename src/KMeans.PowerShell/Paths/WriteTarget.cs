using System.Management.Automation;
using KMeans.Core;
using KMeans.Core.Files;
using KMeans.PowerShell.Errors;

namespace KMeans.PowerShell.Paths;

/// <summary>
/// What every writer checks of its target before any work starts and before -WhatIf answers, so that neither a long
/// training nor a "What if" line is spent on a file that would be refused: a FileSystem path in an existing directory,
/// not a directory, not an existing file unless -Force. The write itself checks again (things may change meanwhile).
/// </summary>
internal static class WriteTarget
{
    /// <summary>The resolved target, or null with the error that refuses it.</summary>
    public static string? Check(PSCmdlet cmdlet, string path, bool literal, bool force, out ErrorRecord? error)
    {
        string? target = OutputFile.Resolve(cmdlet, path, literal, out error);
        if (error is not null)
            return null;
        error = Refusal(target!, force);
        return error is null ? target : null;
    }

    /// <summary>
    /// <see cref="Check"/>, then a temporary file created and removed where the write will create its own, so that a
    /// directory the process may not write to (read-only, full, no permission) is refused before hours of training.
    /// </summary>
    public static string? CheckWritable(PSCmdlet cmdlet, string path, bool literal, bool force, out ErrorRecord? error)
    {
        string? target = Check(cmdlet, path, literal, force, out error);
        if (target is null)
            return null;
        try
        {
            AtomicFile.Begin(target, overwrite: true).Dispose();
        }
        catch (KMeansException e)
        {
            error = KMeansErrors.FromException(e);
            return null;
        }
        return target;
    }

    /// <summary>
    /// What refuses a target whatever happens before the write: an existing file without -Force, or a directory.
    /// A missing directory is not refused here: work before the write may create it.
    /// </summary>
    public static ErrorRecord? ExistingRefusal(PSCmdlet cmdlet, string path, bool literal, bool force)
    {
        string? target = OutputFile.Resolve(cmdlet, path, literal, out ErrorRecord? error);
        if (error is not null || target is null)
            return null;
        return Directory.Exists(target) || (File.Exists(target) && !force) ? Refusal(target, force) : null;
    }

    private static ErrorRecord? Refusal(string target, bool force)
    {
        string? directory = System.IO.Path.GetDirectoryName(target);
        if (Directory.Exists(target))
            return KMeansErrors.FromException(new KMeansException(KMeansErrorKind.TargetNotRegularFile,
                $"Cannot write '{target}': it is a directory, and only a regular file may be replaced.", target));
        if (directory is not null && !Directory.Exists(directory))
            return KMeansErrors.FromException(new KMeansException(KMeansErrorKind.FileNotFound,
                $"Cannot write '{target}': {AtomicFile.MissingDirectory(directory)}.", target));
        return File.Exists(target) && !force ? KMeansErrors.TargetExists(target) : null;
    }
}
