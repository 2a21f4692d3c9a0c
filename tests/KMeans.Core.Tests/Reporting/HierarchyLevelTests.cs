using KMeans.Core.Training;

namespace KMeans.Core.Tests.Reporting;

public class HierarchyLevelTests
{
    [Fact]
    public void AHierarchicalTrainingRecordsEveryLevelOfItsTree()
    {
        // Four far-apart blobs of 300 rows: the root (fan-out 4) finds them, each gets 12 / 4 = 3 centroids.
        (float[][] rows, _) = TestData.Blobs(clusters: 4, perCluster: 300, dimension: 4, spread: 1, seed: 8);
        var options = new KMeansOptions { K = 12, Seed = 5, Hierarchical = HierarchicalMode.On, HierarchicalK = 4 };

        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), options);

        Assert.Equal(2, result.Levels.Count);
        HierarchyLevel root = result.Levels[0];
        HierarchyLevel leaves = result.Levels[1];
        Assert.Equal((1, 1, 4L, 1200L, 1), (root.Level, root.Nodes, root.Centroids, root.Rows, root.ConvergedNodes));
        Assert.Equal((2, 4, 12L, 1200L), (leaves.Level, leaves.Nodes, leaves.Centroids, leaves.Rows));
        Assert.Equal(result.Loss, leaves.Loss);
        Assert.True(root.Loss > leaves.Loss, $"root {root.Loss}, leaves {leaves.Loss}");
        // Iterations of a tree is its longest single run (KMeansResult.Iterations).
        Assert.Equal(result.Iterations, Math.Max(root.MaxIterations, leaves.MaxIterations));
    }

    [Fact]
    public void ADeeperTreeRecordsConsecutiveLevelsWithEveryRowAtTheSecond()
    {
        (float[][] rows, _) = TestData.Blobs(clusters: 120, perCluster: 10, dimension: 4, spread: 0.05, seed: 8);
        var options = new KMeansOptions { K = 120, Seed = 5, Hierarchical = HierarchicalMode.On, HierarchicalK = 4 };

        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), options);

        Assert.Equal(Enumerable.Range(1, result.Levels.Count), result.Levels.Select(l => l.Level));
        Assert.True(result.Levels.Count >= 3);
        Assert.Equal(rows.Length, result.Levels[1].Rows);
        Assert.All(result.Levels, l => Assert.InRange(l.ConvergedNodes, 0, l.Nodes));
        Assert.All(result.Levels.Skip(1), l => Assert.True(l.Rows <= rows.Length));
    }

    [Fact]
    public void AFlatTrainingHasNoLevels()
    {
        (float[][] rows, _) = TestData.Blobs(clusters: 4, perCluster: 10, dimension: 2, spread: 0.05, seed: 8);

        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), new KMeansOptions { K = 4, Seed = 1 });

        Assert.Empty(result.Levels);
        Assert.Equal(4, result.Options!.K);
        Assert.Equal(1, result.Options.Seed);
    }
}
