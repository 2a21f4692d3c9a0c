using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace KMeans.Core.Sampling;

/// <summary>
/// Where each slot of a sample came from when its full-dimension rows are not kept (see
/// <see cref="SampleRereading"/>): the input row, and a hash of the row as it was sampled (XxHash3 of its float32
/// bytes, after normalising under Cosine), so that reading it again can tell a row that changed. 16 bytes per row.
/// </summary>
internal sealed class SampledRowOrigins(long capacity)
{
    private readonly long[] _inputRows = new long[capacity];
    private readonly ulong[] _hashes = new ulong[capacity];

    /// <summary>The slots filled, set once sampling ends.</summary>
    public long RowCount { get; private set; }

    public void Record(long slot, long inputRow, ReadOnlySpan<float> row)
    {
        _inputRows[slot] = inputRow;
        _hashes[slot] = HashOf(row);
    }

    public void Seal(long rowCount) => RowCount = rowCount;

    public long InputRow(long slot) => _inputRows[slot];

    public ulong Hash(long slot) => _hashes[slot];

    public static ulong HashOf(ReadOnlySpan<float> row) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(row));

    /// <summary>
    /// The slots in input-row order: slot order itself when rows were sampled by selection (they arrive in input
    /// order), otherwise sorted, as a reservoir replaces slots at random.
    /// </summary>
    public int[] SlotsInInputOrder()
    {
        int count = checked((int)RowCount);
        var slots = new int[count];
        bool ordered = true;
        for (int slot = 0; slot < count; slot++)
        {
            slots[slot] = slot;
            ordered &= slot == 0 || _inputRows[slot - 1] < _inputRows[slot];
        }
        if (!ordered)
            Array.Sort(_inputRows.AsSpan(0, count).ToArray(), slots);
        return slots;
    }
}
