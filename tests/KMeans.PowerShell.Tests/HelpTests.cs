using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace KMeans.PowerShell.Tests;

public sealed class HelpTests : IDisposable
{
    private readonly HostedShell _shell = new();

    /// <summary>Lists, for every exported command and alias, what its help lacks; Get-Help makes up a bare synopsis when there is no help.</summary>
    private const string HelpProblems = """
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        $module = Get-Module KMeans
        foreach ($name in @($module.ExportedCmdlets.Keys) + @($module.ExportedAliases.Keys)) {
            $command = Get-Command $name
            if ($command.CommandType -eq 'Alias') { $command = $command.ResolvedCommand }
            $help = Get-Help $name -Full
            if ($help.Synopsis -match "^\s*$($command.Name)\b" -or [string]::IsNullOrWhiteSpace($help.Synopsis)) { "${name}: no synopsis" }
            if ([string]::IsNullOrWhiteSpace(($help.description | ForEach-Object Text) -join '')) { "${name}: no description" }
            if (@($help.examples.example).Count -lt 2) { "${name}: fewer than two examples" }
            foreach ($example in @($help.examples.example)) {
                if ([string]::IsNullOrWhiteSpace($example.code)) { "${name}: an example without code" }
            }
            $documented = @($help.parameters.parameter)
            foreach ($parameter in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
                $entry = $documented | Where-Object name -eq $parameter
                if (-not $entry -or [string]::IsNullOrWhiteSpace(($entry.description | ForEach-Object Text) -join '')) { "${name}: no help for -$parameter" }
            }
            foreach ($entry in $documented) {
                if (-not $command.Parameters.ContainsKey($entry.name)) { "${name}: help for a parameter it does not have, -$($entry.name)" }
            }
        }
        """;

    [Fact]
    public void Every_exported_command_has_a_synopsis_a_description_parameter_help_and_examples()
    {
        List<string> problems = _shell.Run(HelpProblems).Select(p => p.ToString()).ToList();

        Assert.Empty(_shell.PowerShell.Streams.Error);
        Assert.Empty(problems);
    }

    [Fact]
    public void The_help_check_reports_a_command_without_help()
    {
        _shell.Run("""
            New-Module -Name Undocumented -ScriptBlock { function Test-Undocumented { param($Value) } } | Import-Module
            """);
        string script = HelpProblems.Replace("Get-Module KMeans", "Get-Module Undocumented").Replace("ExportedCmdlets", "ExportedFunctions");

        List<string> problems = _shell.Run(script).Select(p => p.ToString()).ToList();

        Assert.Contains("Test-Undocumented: no synopsis", problems);
        Assert.Contains("Test-Undocumented: fewer than two examples", problems);
        Assert.Contains("Test-Undocumented: no help for -Value", problems);
    }

    [Fact]
    public void The_about_topic_is_found()
    {
        string about = string.Concat(_shell.Run("Get-Help about_KMeans").Select(o => o.ToString()));

        Assert.Contains("KMeansCentroid", about);
        Assert.Contains("InsufficientDiskSpace", about);
    }

    [Fact]
    public void Every_output_type_of_the_module_has_a_table_view_in_the_format_file()
    {
        string formatFile = Path.Combine(HostedShell.ModuleDirectory, "KMeans.format.ps1xml");
        var table = new FormatTable([formatFile]);
        string text = File.ReadAllText(formatFile);
        List<string> outputTypes = _shell.Run("""
            Get-Command -Module KMeans | ForEach-Object { $_.OutputType.Name }
            """).Select(o => o.ToString()).Where(type => type.StartsWith("KMeans.", StringComparison.Ordinal)).Distinct().ToList();

        Assert.NotNull(table);
        Assert.Contains("KMeans.PowerShell.KMeansCentroid", outputTypes);
        Assert.All(outputTypes, type => Assert.Contains($"<TypeName>{type}</TypeName>", text));
        Assert.Contains("<TypeName>KMeans.PowerShell.KMeansIteration</TypeName>", text);
    }

    [Theory]
    [InlineData("Invoke-KMeansTraining -Distance C", "Cosine")]
    [InlineData("Invoke-KMeansTraining -Init KMeansP", "KMeansParallel,KMeansPlusPlus")]
    [InlineData("Invoke-KMeansTraining -Hierarchical O", "Off,On")]
    [InlineData("Get-KMeansAssignment -Distance D", "Dot")]
    public void Enum_parameters_complete_their_values(string input, string expected)
    {
        CommandCompletion completion = CommandCompletion.CompleteInput(input, input.Length, null, _shell.PowerShell);

        Assert.Equal(expected.Split(','), completion.CompletionMatches.Select(m => m.CompletionText));
    }

    [Theory]
    [InlineData("Invoke-KMeansTraining -TempDirectory")]
    [InlineData("Get-KMeansDiskEstimate -TempDirectory")]
    public void TempDirectory_completes_file_system_paths(string command)
    {
        using var scratch = new ScratchDirectory();
        Directory.CreateDirectory(scratch.File("spill-here"));
        string input = $"{command} {scratch.File("spill")}";

        CommandCompletion completion = CommandCompletion.CompleteInput(input, input.Length, null, _shell.PowerShell);
        _shell.Run($"$null = $ExecutionContext.SessionState.Path.SetLocation('{scratch.Path}')");
        string relative = $"{command} ./sp";
        CommandCompletion fromLocation = CommandCompletion.CompleteInput(relative, relative.Length, null, _shell.PowerShell);

        Assert.Equal([scratch.File("spill-here")], completion.CompletionMatches.Select(m => m.CompletionText));
        Assert.Equal(["./spill-here"], fromLocation.CompletionMatches.Select(m => m.CompletionText));
    }

    public void Dispose() => _shell.Dispose();
}
