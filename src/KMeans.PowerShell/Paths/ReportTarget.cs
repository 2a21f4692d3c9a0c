using System.Management.Automation;
using KMeans.Core;
using KMeans.PowerShell.Errors;

namespace KMeans.PowerShell.Paths;

/// <summary>
/// Checks the file a training report will be written to before any work starts, so that a long training is not
/// spent on a report that would be refused: a FileSystem path in an existing directory, not an existing file unless
/// -Force. The write itself checks again (the file may appear meanwhile).
/// </summary>
internal static class ReportTarget
{
    public static string? Check(PSCmdlet cmdlet, string path, bool literal, bool force, out ErrorRecord? error)
    {
        string? target = OutputFile.Resolve(cmdlet, path, literal, out error);
        if (error is not null)
            return null;
        string? directory = System.IO.Path.GetDirectoryName(target);
        if (Directory.Exists(target) || (directory is not null && !Directory.Exists(directory)))
        {
            error = KMeansErrors.FromException(new KMeansException(
                Directory.Exists(target) ? KMeansErrorKind.FileExists : KMeansErrorKind.FileNotFound,
                Directory.Exists(target)
                    ? $"Cannot write the report to '{target}': it is a directory."
                    : $"Cannot write the report to '{target}': the directory '{directory}' does not exist.",
                target));
            return null;
        }
        if (File.Exists(target) && !force)
        {
            error = KMeansErrors.TargetExists(target!);
            return null;
        }
        return target;
    }
}
