using KMeans.Core.Training.Balancing;

namespace KMeans.Core.Tests.Training;

/// <summary>Rows moved one by one leave the groups exactly as grouping the new labels would, rows ascending.</summary>
public sealed class PartitionMembersTests
{
    [Fact]
    public void MovingRowsGivesWhatGroupingAgainGives()
    {
        const int rows = 5_000, k = 37;
        var random = new Random(5);
        int[] labels = Enumerable.Range(0, rows).Select(_ => random.Next(k - 1)).ToArray();
        var members = new PartitionMembers(k);
        members.Group(labels);

        for (int move = 0; move < 2_000; move++)
        {
            int row = random.Next(rows);
            // Partition k − 1 starts empty, so a move also fills an empty group and may empty another.
            int to = random.Next(k);
            members.Move(row, labels[row], to);
            labels[row] = to;
        }

        var grouped = new PartitionMembers(k);
        grouped.Group(labels);
        Assert.Equal(grouped.Sizes(), members.Sizes());
        for (int c = 0; c < k; c++)
        {
            Assert.Equal(grouped.Of(c).ToArray(), members.Of(c).ToArray());
            Assert.Equal(Enumerable.Range(0, rows).Where(row => labels[row] == c), members.Of(c).ToArray());
        }
        Assert.Equal(labels.Count(label => label == k - 1), members.Sizes()[k - 1]);
    }
}
