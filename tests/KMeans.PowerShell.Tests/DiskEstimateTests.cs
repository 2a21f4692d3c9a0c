using System.Management.Automation;

namespace KMeans.PowerShell.Tests;

public sealed class DiskEstimateTests : IDisposable
{
    private const string Command = "KMeans.PowerShell.GetKMeansDiskEstimateCommand";
    private readonly HostedShell _shell = new();
    private readonly ScratchDirectory _scratch = new();

    public DiskEstimateTests() => _shell.Set("temp", _scratch.Path);

    [Fact]
    public void The_sample_is_SampleRate_times_K_rows_of_float32_when_rows_are_unknown()
    {
        PSObject estimate = _shell.Run("Get-KMeansDiskEstimate -K 1000 -Dimension 768 -TempDirectory $temp")
            .Single("KMeans.PowerShell.KMeansDiskEstimate");

        Assert.Equal(256_000, estimate.Get<long>("SampleRows"));
        Assert.Equal(256_000L * 768 * 4, estimate.Get<long>("Bytes"));
        Assert.Equal("750 MiB", estimate.Get<string>("Size"));
        Assert.True(estimate.Get<long>("InMemoryBytes") > estimate.Get<long>("Bytes"));
        Assert.Equal(_scratch.Path, estimate.Get<string>("TempDirectory"));
        Assert.Equal(new DriveInfo(_scratch.Path).AvailableFreeSpace, estimate.Get<long>("FreeBytes"), tolerance: 64L << 20);
        Assert.True(estimate.Get<bool>("Fits"));
        Assert.Null(estimate.Get<long?>("Rows"));
    }

    [Fact]
    public void Fewer_rows_than_the_sample_cap_shrink_the_sample()
    {
        PSObject estimate = Assert.Single(_shell.Run("Get-KMeansDiskEstimate -K 10 -Dimension 4 -Rows 1000 -SampleRate 256"));

        Assert.Equal(1000, estimate.Get<long>("SampleRows"));
        Assert.Equal(16_000, estimate.Get<long>("Bytes"));
        Assert.Equal("InMemory", estimate.Get<string>("Recommendation"));
    }

    [Fact]
    public void A_run_larger_than_memory_and_disk_is_recommended_on_disk_and_does_not_fit()
    {
        PSObject estimate = Assert.Single(_shell.Run("Get-KMeansDiskEstimate -K 500000 -Dimension 4096 -SampleRate 2048 -TempDirectory $temp"));

        Assert.Equal("OnDisk", estimate.Get<string>("Recommendation"));
        Assert.False(estimate.Get<bool>("Fits"));
        Assert.StartsWith("The on-disk sample needs 16,777,216,000,000 bytes in ", estimate.Get<string>("FitsReason"));
        Assert.Contains("Choose another -TempDirectory, a smaller -SampleRate or K", estimate.Get<string>("FitsReason"));
        Assert.Equal("15.3 TiB", estimate.Get<string>("Size"));
    }

    [Fact]
    public void Scenarios_bind_from_the_pipeline_by_property_name_and_a_bad_one_does_not_stop_the_rest()
    {
        var output = _shell.Run("""
            @(
                [pscustomobject]@{ K = '16'; Dimension = '128'; Rows = '100000' }
                [pscustomobject]@{ K = '2'; Dimension = '8'; Rows = '' }
                [pscustomobject]@{ K = '2'; Dimension = '8'; Rows = '0' }
                [pscustomobject]@{ K = '0'; Dimension = '128' }
                [pscustomobject]@{ K = '8'; Dimension = '0' }
                [pscustomobject]@{ K = '4'; Dimension = '8'; SampleRate = '10'; TempDirectory = '/no/such/directory' }
                [pscustomobject]@{ K = '32'; Dimension = '64'; SampleRate = '100'; TempDirectory = $temp }
            ) | Get-KMeansDiskEstimate
            """);

        Assert.Equal([4096L, 512L, 3200L], output.Select(o => o.Get<long>("SampleRows")));
        Assert.Null(output[1].Get<long?>("Rows"));
        Assert.Equal([$"InvalidRows,{Command}", $"InvalidK,{Command}", $"InvalidDimension,{Command}", $"TempDirectoryNotFound,{Command}"], _shell.ErrorIds);
        Assert.Equal(0, _shell.PowerShell.Streams.Error[1].TargetObject);
        Assert.Equal("/no/such/directory", _shell.PowerShell.Streams.Error[3].TargetObject);
    }

    [Fact]
    public void A_temp_directory_outside_the_file_system_is_NotFileSystemPath()
    {
        _shell.Run("Get-KMeansDiskEstimate -K 4 -Dimension 8 -TempDirectory Variable:\\");

        Assert.Equal([$"NotFileSystemPath,{Command}"], _shell.ErrorIds);
    }

    public void Dispose()
    {
        _shell.Dispose();
        _scratch.Dispose();
    }
}
