using System.Management.Automation;

namespace KMeans.PowerShell.Hosting;

/// <summary>The version of the KMeans module a cmdlet runs from, recorded in what it writes.</summary>
internal static class ModuleVersion
{
    public static string Of(PSCmdlet cmdlet) =>
        cmdlet.MyInvocation.MyCommand.Module?.Version.ToString() ?? typeof(ModuleVersion).Assembly.GetName().Version!.ToString(3);
}
