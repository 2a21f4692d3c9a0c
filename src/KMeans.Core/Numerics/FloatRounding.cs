namespace KMeans.Core.Numerics;

/// <summary>
/// The standard model of float arithmetic the error bounds rest on (Higham, <i>Accuracy and Stability of Numerical
/// Algorithms</i>, §2.2 and §3.1): each operation rounds its exact result once, off by at most a relative
/// <see cref="UnitRoundoff"/>, and a chain of n of them by at most γₙ.
/// </summary>
internal static class FloatRounding
{
    /// <summary>ε = 2⁻²⁴, float's unit roundoff.</summary>
    public const double UnitRoundoff = 1.0 / (1 << 24);

    /// <summary>γₙ = n·ε / (1 − n·ε): the relative error of a sum or dot product of n terms, in any order.</summary>
    public static double Gamma(int n) => n * UnitRoundoff / (1 - n * UnitRoundoff);
}
