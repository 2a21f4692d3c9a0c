using System.Runtime.InteropServices;
using KMeans.Core.Buffers;

namespace KMeans.Core.Tests.Buffers;

public partial class TrainingBufferTests
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

    /// <summary>
    /// Rows written while the buffer's pages are faulted in behind the writer's back keep their values: the background
    /// task never writes (64 MiB, written from the front as the task starts from the back).
    /// </summary>
    [Fact]
    public void RowsWrittenWhileThePagesAreFaultedInKeepTheirValues()
    {
        const int rows = 16_384, dimension = 1024;
        using var buffer = new InMemoryBuffer(rows, dimension);
        buffer.ExpectEveryRow();
        var row = new float[dimension];
        for (int i = 0; i < rows; i++)
        {
            Array.Fill(row, i + 0.5f);
            buffer.WriteRows(i, row);
        }
        buffer.FaultingIn?.Wait();
        buffer.Seal(rows);

        for (int i = 0; i < rows; i++)
            Assert.True(buffer.Rows(i, 1).IndexOfAnyExcept(i + 0.5f) < 0, $"Row {i} changed.");
    }

    /// <summary>On Linux, every page of a buffer expected to be filled is resident before a row is written.</summary>
    [GatedFact(Gate.Linux)]
    public void ABufferExpectedToBeFilledHasItsPagesFaultedInAhead()
    {
        const int rows = 4_096, dimension = 1024;
        using var expected = new InMemoryBuffer(rows, dimension);
        using var untouched = new InMemoryBuffer(rows, dimension);

        expected.ExpectEveryRow();
        Assert.NotNull(expected.FaultingIn);
        expected.FaultingIn.Wait();

        Assert.Equal(1.0, ResidentShare(expected, rows));
        Assert.True(ResidentShare(untouched, rows) < 0.1);
    }

    /// <summary>Disposing a buffer while its pages are being faulted in stops the task and frees the memory safely.</summary>
    [Fact]
    public void ABufferDisposedWhileItsPagesAreFaultedInStopsTheTask()
    {
        var buffer = new InMemoryBuffer(65_536, 1024);
        buffer.ExpectEveryRow();
        Task? faultingIn = buffer.FaultingIn;

        buffer.Dispose();

        Assert.True(faultingIn is null || faultingIn.IsCompletedSuccessfully);
    }

    /// <summary>
    /// The share of the buffer's first <paramref name="rows"/> rows' whole pages that are resident (mincore(2)); seals
    /// the buffer, so that its rows have an address to read.
    /// </summary>
    private static unsafe double ResidentShare(InMemoryBuffer buffer, int rows)
    {
        buffer.Seal(rows);
        const long page = 4096;
        long start = (AddressOf(buffer) + page - 1) & ~(page - 1);
        long end = (AddressOf(buffer) + buffer.ByteCount(rows)) & ~(page - 1);
        var residency = new byte[(end - start) / page];
        fixed (byte* vector = residency)
            Assert.Equal(0, mincore((void*)start, (nuint)(end - start), vector));
        return residency.Count(flags => (flags & 1) != 0) / (double)residency.Length;
    }

    private static unsafe long AddressOf(TrainingBuffer buffer)
    {
        fixed (float* first = buffer.Rows(0, 1))
            return (long)first;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int mincore(void* address, nuint length, byte* vector);
}
