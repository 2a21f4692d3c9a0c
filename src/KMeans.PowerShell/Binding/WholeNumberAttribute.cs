using System.Globalization;
using System.Management.Automation;

namespace KMeans.PowerShell.Binding;

/// <summary>
/// Refuses a number with a fraction for a whole-number parameter: PowerShell would bind -TrainDimension 16.5 as 16
/// (and 2.5 as 2, rounding half to even) without a word.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class WholeNumberAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        Refuse(VectorConverter.Unwrap(inputData));
        return inputData;
    }

    /// <summary>
    /// Throws for a number, or a string of one as PowerShell reads it ('1.5d', '2.5kb'), that is not whole; anything
    /// else is for the binder to judge.
    /// </summary>
    public static void Refuse(object? value)
    {
        double? number = value switch
        {
            null or bool or Array => null,
            _ when LanguagePrimitives.TryConvertTo(value, CultureInfo.InvariantCulture, out double converted) => converted,
            _ => null,
        };
        if (number is double n && n != Math.Floor(n))
            throw new ArgumentTransformationMetadataException(
                $"'{Convert.ToString(value, CultureInfo.InvariantCulture)}' is not a whole number.");
    }
}
