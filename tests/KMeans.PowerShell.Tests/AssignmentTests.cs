using System.Management.Automation;

namespace KMeans.PowerShell.Tests;

public sealed class AssignmentTests : IDisposable
{
    private const string Command = "KMeans.PowerShell.GetKMeansAssignmentCommand";
    private readonly HostedShell _shell = new();

    public AssignmentTests()
    {
        _shell.Set("vectors", TestData.Blobs(400, 5, 4, seed: 21));
        _shell.Run("$model = $vectors | Invoke-KMeansTraining -K 4 -Seed 2 -AsModel");
    }

    [Fact]
    public void Each_vector_gets_its_nearest_centroid_in_input_order()
    {
        var assignments = _shell.Run("$vectors | Get-KMeansAssignment -Centroid $model");

        Assert.Equal(400, assignments.Count);
        Assert.All(assignments, a => Assert.Equal("KMeans.PowerShell.KMeansAssignment", a.TypeName()));
        Assert.Equal(Enumerable.Range(0, 400).Select(i => (long)i), assignments.Select(a => a.Get<long>("Index")));
        // Blob i % 4 holds row i: rows of one blob share a cluster, and the four blobs use the four clusters.
        var clusterOfBlob = Enumerable.Range(0, 4).Select(b => assignments[b].Get<int>("ClusterId")).ToArray();
        Assert.Equal(4, clusterOfBlob.Distinct().Count());
        Assert.All(assignments, a => Assert.Equal(clusterOfBlob[a.Get<long>("Index") % 4], a.Get<int>("ClusterId")));
        Assert.All(assignments, a => Assert.InRange(a.Get<double>("Distance"), 0, 40));
    }

    [Fact]
    public void Assignment_sizes_match_the_training_cluster_sizes()
    {
        var summary = _shell.Run("$vectors | Get-KMeansAssignment -Centroid $model.Centroids -Summary");
        var sizes = _shell.Run("$model.Centroids | ForEach-Object Size").Select(s => (long)s.BaseObject);

        Assert.All(summary, s => Assert.Equal("KMeans.PowerShell.KMeansAssignmentSummary", s.TypeName()));
        Assert.Equal([0, 1, 2, 3], summary.Select(s => s.Get<int>("ClusterId")));
        Assert.Equal(sizes, summary.Select(s => s.Get<long>("Count")));
        Assert.Equal(1.0, summary.Sum(s => s.Get<double>("Fraction")), precision: 9);
    }

    [Fact]
    public void A_vector_of_another_dimension_is_reported_by_index_and_the_rest_assigned()
    {
        var assignments = _shell.Run("& { $vectors[0..4]; ,[double[]](1, 2); $vectors[5..9] } | Get-KMeansAssignment -Centroid $model");

        Assert.Equal([$"DimensionMismatch,{Command}"], _shell.ErrorIds);
        Assert.Contains("Input item 5 has 2 values", _shell.PowerShell.Streams.Error[0].Exception.Message);
        Assert.Equal([0L, 1, 2, 3, 4, 6, 7, 8, 9, 10], assignments.Select(a => a.Get<long>("Index")));
    }

    [Fact]
    public void Centroids_of_different_dimensions_are_InvalidCentroid()
    {
        ErrorRecord error = _shell.RunExpectingTerminatingError("$vectors | Get-KMeansAssignment -Centroid ([float[]](1, 2)), ([float[]](1, 2, 3))");

        Assert.Equal($"InvalidCentroid,{Command}", error.FullyQualifiedErrorId);
        Assert.Contains("Centroid 1", error.Exception.Message);
    }

    public void Dispose() => _shell.Dispose();
}
