using System.Management.Automation;

namespace KMeans.PowerShell.Tests;

public sealed class DiskEstimateCalibrationTests : IDisposable
{
    private const string Command = "KMeans.PowerShell.GetKMeansDiskEstimateCommand";
    private const string CalibrationActivity = "Calibrating this machine's training speed";

    private readonly HostedShell _shell = new();

    [Fact]
    public void One_calibration_serves_every_piped_scenario_and_its_progress_is_completed()
    {
        var output = _shell.Run("""
            @(
                [pscustomobject]@{ K = 4096; Dimension = 64; Rows = 1000000 }
                [pscustomobject]@{ K = 128; Dimension = 64; MaxIterations = 5 }
                [pscustomobject]@{ K = 1000; Dimension = 64; Rows = 10 }
            ) | Get-KMeansDiskEstimate -Calibrate
            """);

        Assert.Equal(2, output.Count);
        Assert.NotNull(output[0].Properties["HierarchicalIterationSeconds"].Value);
        // K = 128 is trained flat by -Hierarchical Auto.
        Assert.Null(output[1].Properties["HierarchicalIterationSeconds"].Value);
        Assert.EndsWith("hierarchical: Auto trains this K flat", output[1].Get<string>("TrainingTimeSummary"));
        Assert.Equal(5, output[1].Get<int>("MaxIterations"));
        Assert.Equal([$"KExceedsRows,{Command}"], _shell.ErrorIds);
        List<ProgressRecord> calibration = _shell.PowerShell.Streams.Progress.Where(p => p.Activity == CalibrationActivity).ToList();
        Assert.Equal(2, calibration.Count);
        Assert.Equal(ProgressRecordType.Completed, calibration[^1].RecordType);
    }

    [Fact]
    public void Invalid_MaxIterations_and_HierarchicalK_are_rejected_by_validation()
    {
        ErrorRecord iterations = _shell.RunExpectingTerminatingError("Get-KMeansDiskEstimate -K 4 -Dimension 8 -Calibrate -MaxIterations 0");
        ErrorRecord fanOut = _shell.RunExpectingTerminatingError("Get-KMeansDiskEstimate -K 4 -Dimension 8 -Calibrate -HierarchicalK 1");

        Assert.Equal($"ParameterArgumentValidationError,{Command}", iterations.FullyQualifiedErrorId);
        Assert.Equal($"ParameterArgumentValidationError,{Command}", fanOut.FullyQualifiedErrorId);
    }

    public void Dispose() => _shell.Dispose();
}
