using System.Management.Automation;

namespace KMeans.PowerShell.Binding;

/// <summary>
/// A piped item that names a vector file rather than holding a vector. Cmdlets whose -InputObject takes vectors by
/// value cannot also bind -LiteralPath by property name (PowerShell binds any object to a PSObject parameter first),
/// so they ask here, as Select-String does for FileInfo: a FileSystemInfo (Get-ChildItem, Get-Item), a PathInfo
/// (Resolve-Path), a path string, or an object without the vector property that carries PSPath, LiteralPath or
/// FullName (the names the file cmdlets bind by property name).
/// </summary>
internal static class PipedFile
{
    private static readonly string[] PathProperties = ["PSPath", "LiteralPath", "FullName"];

    /// <param name="literal">False for a path string, whose wildcards are expanded as -Path does.</param>
    public static bool TryGetPath(PSObject? item, string vectorProperty, out string path, out bool literal)
    {
        path = "";
        literal = true;
        switch (item?.BaseObject)
        {
            case null:
                return false;
            case FileSystemInfo info:
                path = info.FullName;
                return true;
            case PathInfo resolved:
                path = resolved.Path;
                return true;
            case string text:
                path = text;
                literal = false;
                return true;
        }
        if (item.Properties[vectorProperty] is not null)
            return false;
        foreach (string name in PathProperties)
        {
            // A value computed in the pipeline (Join-Path, say) arrives wrapped in a PSObject.
            if (VectorConverter.Unwrap(item.Properties[name]?.Value) is string value && value.Length > 0)
            {
                path = value;
                return true;
            }
        }
        return false;
    }
}
