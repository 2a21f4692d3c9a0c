using System.Management.Automation;

namespace KMeans.PowerShell.Tests;

public sealed class TrainingTests : IDisposable
{
    private const string CentroidType = "KMeans.PowerShell.KMeansCentroid";
    private const string ModelType = "KMeans.PowerShell.KMeansModel";
    private readonly HostedShell _shell = new();
    private readonly float[][] _vectors;
    private readonly float[][] _centres;

    public TrainingTests()
    {
        _vectors = TestData.Blobs(1000, 6, 4, seed: 7, out _centres); // all rows fit the default sample (256 × K)
        _shell.Set("vectors", _vectors);
    }

    [Fact]
    public void Piped_vectors_give_one_centroid_per_cluster_in_cluster_order_near_the_blob_centres()
    {
        var centroids = _shell.Run("$vectors | Invoke-KMeansTraining -K 4 -Seed 3");

        Assert.Empty(_shell.PowerShell.Streams.Error);
        Assert.All(centroids, c => Assert.Equal(CentroidType, c.TypeName()));
        Assert.Equal([0, 1, 2, 3], centroids.Select(c => c.Get<int>("ClusterId")));
        Assert.All(centroids, c => Assert.Equal(6, c.Get<int>("Dimension")));
        Assert.Equal(_vectors.Length, centroids.Sum(c => c.Get<long>("Size")));
        foreach (float[] centre in _centres)
            Assert.Contains(centroids, c => Distance(c.Get<float[]>("Vector"), centre) < 0.5);
    }

    [Fact]
    public void AsModel_emits_one_model_with_its_history()
    {
        PSObject model = _shell.Run("$vectors | Invoke-KMeansTraining -K 4 -Seed 3 -AsModel").Single(ModelType);

        Assert.Equal(4, model.Get<int>("K"));
        Assert.Equal(6, model.Get<int>("Dimension"));
        Assert.Equal("L2", model.Get<string>("Distance"));
        Assert.Equal(3, model.Get<int>("Seed"));
        Assert.Equal(1000, model.Get<long>("SampleRows"));
        Assert.Equal(1000, model.Get<long>("RowsRead"));
        Assert.False(model.Get<bool>("OnDisk"));
        Assert.True(model.Get<bool>("Converged"));
        PSObject[] history = model.Get<PSObject[]>("History");
        Assert.Equal(model.Get<int>("Iterations"), history.Length);
        Assert.Equal(model.Get<double>("Loss"), history[^1].Get<double>("Loss"));
        Assert.Equal(4, model.Get<PSObject[]>("Centroids").Length);
    }

    [Fact]
    public void Double_arrays_lists_objects_and_hashtables_train_like_float_arrays()
    {
        _shell.Set("doubles", _vectors.Select(v => v.Select(x => (double)x).ToArray()).ToArray());
        string expected = Fingerprint("$vectors | Invoke-KMeansTraining -K 4 -Seed 5");

        Assert.Equal(expected, Fingerprint("$doubles | Invoke-KMeansTraining -K 4 -Seed 5"));
        Assert.Equal(expected, Fingerprint("$vectors | ForEach-Object { [pscustomobject]@{ Id = 1; Embedding = $_ } } | Invoke-KMeansTraining -K 4 -Seed 5 -VectorProperty Embedding"));
        Assert.Equal(expected, Fingerprint("$vectors | ForEach-Object { @{ Vector = [object[]]$_ } } | Invoke-KMeansTraining -K 4 -Seed 5"));
        Assert.Equal(expected, Fingerprint("Invoke-KMeansTraining -InputObject $vectors -K 4 -Seed 5"));
        Assert.Empty(_shell.PowerShell.Streams.Error);
    }

    [Fact]
    public void OnDisk_training_gives_the_same_centroids_as_in_memory_and_leaves_the_temp_directory_empty()
    {
        using var scratch = new ScratchDirectory();
        _shell.Set("temp", scratch.Path);

        string inMemory = Fingerprint("$vectors | Invoke-KMeansTraining -K 4 -Seed 9 -SampleRate 100");
        PSObject model = _shell.Run("$vectors | Invoke-KMeansTraining -K 4 -Seed 9 -SampleRate 100 -OnDisk -TempDirectory $temp -AsModel").Single(ModelType);

        Assert.True(model.Get<bool>("OnDisk"));
        Assert.Equal(400, model.Get<long>("SampleRows"));
        Assert.Equal(inMemory, Fingerprint(model.Get<PSObject[]>("Centroids")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch.Path));
    }

    [Fact]
    public void The_reported_seed_reproduces_a_run_without_a_seed()
    {
        PSObject model = _shell.Run("$vectors | Invoke-KMeansTraining -K 4 -AsModel -Init Random").Single(ModelType);
        _shell.Set("seed", model.Get<int>("Seed"));

        Assert.Equal(Fingerprint(model.Get<PSObject[]>("Centroids")),
            Fingerprint("$vectors | Invoke-KMeansTraining -K 4 -Seed $seed -Init Random"));
    }

    [Fact]
    public void Initial_centroids_from_a_model_or_its_centroids_resume_training()
    {
        PSObject first = _shell.Run("$vectors | Invoke-KMeansTraining -K 4 -Seed 1 -MaxIterations 2 -Init Random -AsModel").Single(ModelType);
        _shell.Set("model", first);

        PSObject resumed = _shell.Run("$vectors | Invoke-KMeansTraining -K 4 -InitialCentroid $model -AsModel").Single(ModelType);
        PSObject fromCentroids = _shell.Run("$vectors | Invoke-KMeansTraining -K 4 -InitialCentroid $model.Centroids -AsModel").Single(ModelType);

        Assert.True(resumed.Get<double>("Loss") <= first.Get<double>("Loss"));
        Assert.Equal(Fingerprint(resumed.Get<PSObject[]>("Centroids")), Fingerprint(fromCentroids.Get<PSObject[]>("Centroids")));
    }

    [Fact]
    public void Progress_has_a_child_for_sampling_a_record_per_iteration_and_ends_with_Completed()
    {
        PSObject model = _shell.Run("$vectors | Invoke-KMeansTraining -K 4 -Seed 3 -Tolerance 0 -MaxIterations 12 -AsModel").Single(ModelType);
        List<ProgressRecord> progress = _shell.PowerShell.Streams.Progress.ToList();

        Assert.Equal(12, model.Get<int>("Iterations"));
        List<ProgressRecord> iterations = progress.Where(p => p.ActivityId == 1 && p.StatusDescription.StartsWith("Iteration ", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(1, 12).Select(i => $"Iteration {i} of 12"), iterations.Select(p => p.StatusDescription.Split(':')[0]));
        Assert.Equal(100, iterations[^1].PercentComplete);
        Assert.True(iterations[^1].SecondsRemaining >= 0);
        Assert.Contains(progress, p => p.ActivityId == 2 && p.ParentActivityId == 1 && p.StatusDescription.StartsWith("1,000 of 1,000 rows read", StringComparison.Ordinal));
        Assert.Contains(progress, p => p.ActivityId == 2 && p.RecordType == ProgressRecordType.Completed);
        Assert.Equal(ProgressRecordType.Completed, progress[^1].RecordType);
        Assert.Equal(1, progress[^1].ActivityId);
    }

    [Fact]
    public void Verbose_writes_one_line_per_iteration()
    {
        PSObject model = _shell.Run("$vectors | Invoke-KMeansTraining -K 4 -Seed 3 -Tolerance 0 -MaxIterations 7 -AsModel -Verbose").Single(ModelType);
        List<string> lines = _shell.PowerShell.Streams.Verbose.Select(v => v.Message).ToList();

        Assert.Equal(7, model.Get<int>("Iterations"));
        Assert.Equal(7, lines.Count(l => l.StartsWith("Iteration ", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("Iteration 7 of 7: loss ", StringComparison.Ordinal));
    }

    [Fact]
    public void The_thread_count_does_not_change_the_result()
    {
        Assert.Equal(Fingerprint("$vectors | Invoke-KMeansTraining -K 4 -Seed 4 -ThrottleLimit 1"),
            Fingerprint("$vectors | Invoke-KMeansTraining -K 4 -Seed 4 -ThrottleLimit 2"));
    }

    private string Fingerprint(string script) => Fingerprint(_shell.Run(script));

    private static string Fingerprint(IEnumerable<PSObject> centroids) => string.Join(";", centroids.Select(c =>
        $"{c.Get<int>("ClusterId")}:{c.Get<long>("Size")}:{string.Join(",", c.Get<float[]>("Vector").Select(BitConverter.SingleToInt32Bits))}"));

    private static double Distance(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum());

    public void Dispose() => _shell.Dispose();
}
