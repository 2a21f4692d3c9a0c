using System.Management.Automation.Language;

namespace KMeans.PowerShell.Tests;

/// <summary>The scripts that need a full pwsh (the build, the Pester tests) cannot run here, but they must parse.</summary>
public sealed class ScriptSyntaxTests
{
    [Theory]
    [InlineData("build.ps1")]
    [InlineData("examples/quickstart.ps1")]
    [InlineData("tests/KMeans.Tests.ps1")]
    [InlineData("KMeans.psd1")]
    public void The_script_parses_without_errors(string relativePath)
    {
        string path = Path.Combine(HostedShell.RepositoryRoot, relativePath);

        Parser.ParseFile(path, out _, out ParseError[] errors);

        Assert.Empty(errors.Select(e => $"{e.Extent.StartLineNumber}:{e.Extent.StartColumnNumber} {e.Message}"));
    }
}
