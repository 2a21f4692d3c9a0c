using System.Management.Automation;
using KMeans.PowerShell.Binding;
using KMeans.PowerShell.Errors;
using KMeans.PowerShell.Paths;

namespace KMeans.PowerShell;

/// <summary>
/// The target of a cmdlet that writes one file: -Path (wildcards allowed when they match exactly one existing file, as
/// Out-File does), -LiteralPath taken as typed, and -Force to replace an existing file. Declared once so that every
/// writer binds, completes and refuses targets alike.
/// </summary>
public abstract class FileWriterCommand : PSCmdlet
{
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FileSystemPathCompleter))]
    public string? Path { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string? LiteralPath { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected bool IsLiteralPath => ParameterSetName == LiteralPathSet;

    /// <summary>The target as the user gave it.</summary>
    protected string RequestedPath => IsLiteralPath ? LiteralPath! : Path!;

    /// <summary>
    /// Refuses, before anything comes down the pipeline, a target that nothing before the write can make acceptable:
    /// an existing file without -Force (a training upstream ran for hours, then lost its centroids to one), or a
    /// directory. The rest is checked at the write (<see cref="CheckedTarget"/>).
    /// </summary>
    protected void RefuseExistingTarget()
    {
        if (WriteTarget.ExistingRefusal(this, RequestedPath, IsLiteralPath, Force) is { } refusal)
            ThrowTerminatingError(refusal);
    }

    /// <summary>
    /// The file-system path of the target, or a terminating error saying why it cannot be written (see
    /// <see cref="WriteTarget"/>): checked before -WhatIf answers.
    /// </summary>
    protected string CheckedTarget()
    {
        string? target = WriteTarget.Check(this, RequestedPath, IsLiteralPath, Force, out ErrorRecord? error);
        if (error is not null)
            ThrowTerminatingError(error);
        return target!;
    }
}
