using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KMeans.Core.Numerics;

namespace KMeans.Core.Tests.Numerics;

/// <summary>
/// Arrays the 512-bit loops load and store line by line start on a 64-byte boundary whatever the heap gave, keep
/// their length and start zeroed.
/// </summary>
public sealed class LineAlignedTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(3_072)]
    public void Floats_ints_and_doubles_start_on_a_cache_line(int length)
    {
        for (int attempt = 0; attempt < 16; attempt++)
        {
            // Odd-sized arrays in between move where the heap puts the next one.
            _ = new byte[attempt * 8 + 1];
            AssertAligned(new LineAligned<float>(length), length);
            AssertAligned(new LineAligned<int>(length), length);
            AssertAligned(new LineAligned<double>(length), length);
        }
    }

    private static unsafe void AssertAligned<T>(LineAligned<T> array, int length) where T : unmanaged
    {
        Span<T> span = array.Span;
        Assert.Equal(length, span.Length);
        Assert.Equal(0, (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span)) % 64);
        Assert.True(span.ToArray().All(value => value.Equals(default(T))));
    }
}
