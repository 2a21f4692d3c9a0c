using KMeans.Core.Planning;
using KMeans.Core.Training;

namespace KMeans.Core.Tests;

public class OptionMessageTests
{
    [Fact]
    public void EveryOptionAMessageCanNameIsAnOptionsProperty()
    {
        string[] properties = typeof(KMeansOptions).GetProperties().Select(property => property.Name).ToArray();

        Assert.All(Enum.GetNames<KMeansOption>(), name => Assert.Contains(name, properties));
    }

    [Fact]
    public void AFrontEndNamesTheOptionsItsOwnWayAndTheCoreUsesTheirNames()
    {
        var message = new OptionMessage("Train with {0}, or lower {1} or K.", KMeansOption.OnDisk, KMeansOption.SampleRate);

        Assert.Equal("Train with OnDisk, or lower SampleRate or K.", message.ToString());
        Assert.Equal("Train with --on-disk, or lower --sample-rate or K.",
            message.Render(option => option == KMeansOption.OnDisk ? "--on-disk" : "--sample-rate"));
    }

    [Fact]
    public void PathsWithBracesAreKeptAsTheyAre()
    {
        string missing = Path.Combine(Path.GetTempPath(), "{0} no {such} dir " + Guid.NewGuid().ToString("N"));

        DiskRoom room = ResourcePlan.Compute(1000, 4, 8, 256, 1).OnDisk(missing);

        Assert.Equal($"The temporary directory '{missing}' does not exist.", room.Problem!.ToString());
        Assert.Equal(ResourcePlan.DiskFull(missing, 10, 5, fitsInMemory: true).Render(option => "-" + option),
            $"The on-disk sample needs 10 bytes in '{missing}', but only 5 bytes are free. Choose another -TempDirectory, a smaller -SampleRate or K, or train in memory.");
        Assert.Equal(ResourcePlan.DiskFull(missing, 10, 5, fitsInMemory: false).Render(option => "-" + option),
            $"The on-disk sample needs 10 bytes in '{missing}', but only 5 bytes are free. Choose another -TempDirectory, or a smaller -SampleRate or K: the sample does not fit in memory either.");
    }
}
