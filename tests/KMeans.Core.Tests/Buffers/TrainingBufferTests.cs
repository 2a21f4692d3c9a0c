using KMeans.Core.Buffers;

namespace KMeans.Core.Tests.Buffers;

public class TrainingBufferTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RowsWrittenInAnyOrderReadBackByBlock(bool onDisk)
    {
        using var temp = new TempDirectory();
        using TrainingBuffer buffer = TrainingBuffer.Create(onDisk, capacityRows: 10, dimension: 3, temp.Path);
        buffer.WriteRows(4, [40, 41, 42, 50, 51, 52]);
        buffer.WriteRows(0, [0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32]);
        buffer.Seal(6);

        Assert.Equal(onDisk, buffer.IsOnDisk);
        Assert.Equal(6, buffer.RowCount);
        Assert.Equal([30f, 31, 32, 40, 41, 42], buffer.Rows(3, 2).ToArray());
        Assert.Equal([50f, 51, 52], buffer.Rows(5, 1).ToArray());
    }

    [Fact]
    public void ReadsOutsideTheSampleAndWritesAfterSealingAreRefused()
    {
        using var buffer = new InMemoryBuffer(capacityRows: 2, dimension: 2);
        Assert.Throws<InvalidOperationException>(() => buffer.Rows(0, 1).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.WriteRows(2, [1f, 2f]));
        Assert.Throws<ArgumentException>(() => buffer.WriteRows(0, [1f, 2f, 3f]));
        buffer.WriteRows(0, [1f, 2f]);
        buffer.Seal(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Rows(1, 1).ToArray());
        Assert.Throws<InvalidOperationException>(() => buffer.WriteRows(1, [1f, 2f]));
    }

    [Fact]
    public void BlocksAreLimitedToWhatOneSpanCanAddress()
    {
        using var buffer = new InMemoryBuffer(capacityRows: 1, dimension: 1 << 20);
        Assert.Equal(int.MaxValue / (1 << 20), buffer.MaxRowsPerBlock);
    }
}
