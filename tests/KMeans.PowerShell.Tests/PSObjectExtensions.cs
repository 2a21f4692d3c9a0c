using System.Management.Automation;

namespace KMeans.PowerShell.Tests;

/// <summary>
/// Reads output objects the way scripts do, by property name: the tests do not reference the cmdlet assembly, which the
/// engine loads from out/ like any user's session does.
/// </summary>
public static class PSObjectExtensions
{
    public static T Get<T>(this PSObject item, string property)
    {
        PSPropertyInfo info = item.Properties[property] ?? throw new Xunit.Sdk.XunitException(
            $"{item.BaseObject.GetType().FullName} has no property '{property}'.");
        return LanguagePrimitives.ConvertTo<T>(info.Value);
    }
}
