using System.Management.Automation;
using System.Xml.Linq;

namespace KMeans.PowerShell.Tests;

public sealed class DiskEstimateCalibrationTests : IDisposable
{
    private const string Command = "KMeans.PowerShell.GetKMeansDiskEstimateCommand";
    private const string CalibrationActivity = "Calibrating this machine's training speed";
    private static readonly string[] TimeProperties =
        ["FlatIterationTime", "FlatTrainingTime", "HierarchicalIterationTime", "HierarchicalTrainingTime", "KernelGflops", "MaxIterations", "TrainingTimeSummary"];

    private readonly HostedShell _shell = new();

    [Fact]
    public void Calibrate_predicts_days_flat_and_much_less_hierarchical_at_the_production_size()
    {
        PSObject estimate = _shell.Run("Get-KMeansDiskEstimate -K 262144 -Dimension 1024 -Calibrate -MaxIterations 20")
            .Single("KMeans.PowerShell.KMeansDiskEstimate");

        TimeSpan flatIteration = estimate.Get<TimeSpan>("FlatIterationTime");
        TimeSpan treeIteration = estimate.Get<TimeSpan>("HierarchicalIterationTime");
        Assert.True(treeIteration * 100 < flatIteration, $"tree {treeIteration} vs flat {flatIteration} per iteration");
        Assert.True(estimate.Get<TimeSpan>("HierarchicalTrainingTime") < estimate.Get<TimeSpan>("FlatTrainingTime"));
        Assert.True(estimate.Get<TimeSpan>("FlatTrainingTime") > flatIteration * 20);
        // 2·n·K·d = 3.6·10^16 flops: more than a day below 400 GFLOP/s, far more than any test machine reaches.
        Assert.True(flatIteration > TimeSpan.FromDays(1) || estimate.Get<double>("KernelGflops") > 400,
            $"flat iteration {flatIteration} at {estimate.Get<double>("KernelGflops")} GFLOP/s");
        Assert.Equal(20, estimate.Get<int>("MaxIterations"));
        Assert.StartsWith("flat ", estimate.Get<string>("TrainingTimeSummary"));
        Assert.Contains("; hierarchical ", estimate.Get<string>("TrainingTimeSummary"));
        Assert.Empty(_shell.PowerShell.Streams.Error);
    }

    [Fact]
    public void Without_Calibrate_the_times_are_null_and_nothing_is_measured()
    {
        PSObject estimate = Assert.Single(_shell.Run("Get-KMeansDiskEstimate -K 262144 -Dimension 1024"));

        Assert.All(TimeProperties, property => Assert.Null(estimate.Properties[property].Value));
        Assert.Empty(_shell.PowerShell.Streams.Progress);
    }

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
        Assert.NotNull(output[0].Properties["HierarchicalIterationTime"].Value);
        // K = 128 is trained flat by -Hierarchical Auto.
        Assert.Null(output[1].Properties["HierarchicalIterationTime"].Value);
        Assert.EndsWith("hierarchical: Auto trains this K flat", output[1].Get<string>("TrainingTimeSummary"));
        Assert.Equal(5, output[1].Get<int>("MaxIterations"));
        Assert.Equal([$"KExceedsRows,{Command}"], _shell.ErrorIds);
        List<ProgressRecord> calibration = _shell.PowerShell.Streams.Progress.Where(p => p.Activity == CalibrationActivity).ToList();
        Assert.Equal(2, calibration.Count);
        Assert.Equal(ProgressRecordType.Completed, calibration[^1].RecordType);
    }

    [Fact]
    public void The_table_shows_each_iteration_time_as_days_hours_minutes_and_seconds_and_the_list_every_time()
    {
        XElement[] views = XDocument.Load(Path.Combine(HostedShell.ModuleDirectory, "KMeans.format.ps1xml")).Descendants("View")
            .Where(v => (string?)v.Element("ViewSelectedBy")?.Element("TypeName") == "KMeans.PowerShell.KMeansDiskEstimate").ToArray();
        string[] timeColumns = views.Descendants("TableColumnItem").Select(item => (string?)item.Element("ScriptBlock"))
            .OfType<string>().Where(script => script.Contains("IterationTime", StringComparison.Ordinal)).ToArray();
        string[] listed = views.Descendants("ListItem").Select(item => (string?)item.Element("PropertyName") ?? (string)item.Element("Label")!).ToArray();
        _shell.Run("$calibrated = Get-KMeansDiskEstimate -K 1024 -Dimension 32 -Calibrate; $plain = Get-KMeansDiskEstimate -K 1024 -Dimension 32");

        Assert.Equal(2, timeColumns.Length);
        foreach (string column in timeColumns)
        {
            Assert.Matches(@"^\d+\.\d\d:\d\d:\d\d$", Assert.Single(_shell.Run($"$calibrated | ForEach-Object {{ {column} }}")).ToString());
            Assert.Empty(_shell.Run($"$plain | ForEach-Object {{ {column} }}"));
        }
        Assert.Empty(_shell.PowerShell.Streams.Error);
        Assert.Subset(listed.ToHashSet(), TimeProperties.ToHashSet());
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
