using System.Numerics.Tensors;
using KMeans.Core.Numerics;

namespace KMeans.Core.Tests.Numerics;

public sealed class VectorNormTests
{
    [Fact]
    public void Ordinary_vectors_normalise_to_the_same_bits_as_the_float_arithmetic()
    {
        foreach (float[] row in TestData.Uniform(rows: 50, dimension: 37, seed: 2))
        {
            var expected = new float[row.Length];
            TensorPrimitives.Divide(row, TensorPrimitives.Norm(row), expected);
            var actual = new float[row.Length];

            Assert.True(VectorNorm.TryNormalize(row, actual));
            Assert.Equal(expected, actual);
            Assert.Equal(TensorPrimitives.Norm(row), VectorNorm.Of(row));
        }
    }

    [Theory]
    [InlineData(3e38f)]
    [InlineData(1e20f)]
    [InlineData(1e-30f)]
    [InlineData(1e-44f)]
    public void Vectors_whose_float_squares_overflow_or_underflow_get_their_true_norm_and_direction(float value)
    {
        float[] vector = [value, -value, 0f, value];
        var unit = new float[4];

        Assert.True(VectorNorm.TryNormalize(vector, unit));
        Assert.Equal(Math.Sqrt(3.0) * value, VectorNorm.Of(vector), Math.Sqrt(3.0) * value * 1e-6);
        float third = (float)(1 / Math.Sqrt(3.0));
        Assert.Equal([third, -third, 0f, third], unit);
    }

    [Fact]
    public void Only_the_zero_vector_has_no_direction()
    {
        Assert.False(VectorNorm.TryNormalize([0f, -0f, 0f], new float[3]));
        Assert.True(VectorNorm.IsZero([0f, -0f]));
        Assert.False(VectorNorm.IsZero([0f, float.Epsilon]));
    }
}
