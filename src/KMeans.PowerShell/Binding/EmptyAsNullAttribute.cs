using System.Management.Automation;

namespace KMeans.PowerShell.Binding;

/// <summary>
/// Binds an empty or blank string as null: an empty CSV cell means "not given", where PowerShell would otherwise
/// convert it to 0.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class EmptyAsNullAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) =>
        VectorConverter.Unwrap(inputData) is string text && string.IsNullOrWhiteSpace(text) ? null : inputData;
}
