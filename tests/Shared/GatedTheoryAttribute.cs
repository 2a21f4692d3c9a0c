namespace KMeans.Tests;

/// <summary>A theory that runs only where the machine has <see cref="Gate"/>; elsewhere it is skipped with the reason.</summary>
public sealed class GatedTheoryAttribute : TheoryAttribute
{
    public GatedTheoryAttribute(Gate gate)
    {
        Skip = Gates.MissingReason(gate);
    }
}
