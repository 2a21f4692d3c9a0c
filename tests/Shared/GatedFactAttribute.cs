namespace KMeans.Tests;

/// <summary>A fact that runs only where the machine has <see cref="Gate"/>; elsewhere it is skipped with the reason.</summary>
public sealed class GatedFactAttribute : FactAttribute
{
    public GatedFactAttribute(Gate gate)
    {
        Skip = Gates.MissingReason(gate);
    }
}
