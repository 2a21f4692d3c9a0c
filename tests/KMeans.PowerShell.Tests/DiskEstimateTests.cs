namespace KMeans.PowerShell.Tests;

public sealed class DiskEstimateTests : IDisposable
{
    private const string Command = "KMeans.PowerShell.GetKMeansDiskEstimateCommand";
    private readonly HostedShell _shell = new();

    [Fact]
    public void A_temp_directory_outside_the_file_system_is_NotFileSystemPath()
    {
        _shell.Run("Get-KMeansDiskEstimate -K 4 -Dimension 8 -TempDirectory Variable:\\");

        Assert.Equal([$"NotFileSystemPath,{Command}"], _shell.ErrorIds);
    }

    public void Dispose() => _shell.Dispose();
}
