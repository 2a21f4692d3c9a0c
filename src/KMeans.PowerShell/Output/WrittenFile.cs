using System.Collections.ObjectModel;
using System.Management.Automation;

namespace KMeans.PowerShell;

/// <summary>
/// The file a writer has just committed, as Get-Item gives it: taken through the FileSystem provider, so that it
/// carries the provider's notes (PSPath, PSParentPath, UnixStat) from which pwsh's file table shows the Directory
/// header and the mode, owner, group and size columns. A bare FileInfo shows those columns empty on Linux and macOS,
/// and cannot be piped on to cmdlets that bind -LiteralPath by its PSPath alias.
/// </summary>
internal static class WrittenFile
{
    private const string FileSystemPrefix = @"Microsoft.PowerShell.Core\FileSystem::";

    public static object Of(PSCmdlet cmdlet, string path)
    {
        try
        {
            // Provider-qualified, so that the current location's drive (Env:, a registry hive) cannot reinterpret it.
            Collection<PSObject> items = cmdlet.InvokeProvider.Item.Get([FileSystemPrefix + path], force: true, literalPath: true);
            if (items.Count == 1)
                return items[0];
        }
        catch (Exception e) when (e is ProviderInvocationException or ItemNotFoundException or SessionStateException)
        {
            // Removed or made unreadable since it was written: its FileInfo still says what was written where.
        }
        return new FileInfo(path);
    }
}
