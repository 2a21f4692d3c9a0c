using System.Globalization;
using System.Management.Automation;

namespace KMeans.PowerShell.Binding;

/// <summary>
/// Binds an empty or blank string as null (for a switch, <paramref name="valueType"/> bool, as false): an empty CSV cell
/// means "not given", where PowerShell would otherwise convert it to 0. Given the parameter's <paramref name="valueType"/>, a string that does not convert to it is an
/// error: bound from the pipeline by property name, PowerShell would skip such a parameter without a word, and a
/// CSV cell of 'abc' for Rows would quietly mean "unknown".
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class EmptyAsNullAttribute(Type? valueType = null) : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? value = VectorConverter.Unwrap(inputData);
        if (value is null && valueType == typeof(bool))
            return false;
        // PowerShell rounds 12.5 (or '12.5') to the integer 12 without a word.
        if (valueType == typeof(int) || valueType == typeof(long))
            WholeNumberAttribute.Refuse(value);
        if (value is not string text)
            return inputData;
        // A switch: PowerShell takes every string, 'False' too, as present; an empty cell means not given, so false.
        if (valueType == typeof(bool))
        {
            return string.IsNullOrWhiteSpace(text) ? false
                : bool.TryParse(text.Trim(), out bool flag) ? flag
                : throw new ArgumentTransformationMetadataException($"'{text}' is not True or False.");
        }
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (valueType is null)
            return inputData;
        if (LanguagePrimitives.TryConvertTo(text, valueType, CultureInfo.InvariantCulture, out object? converted))
            return converted;
        string expected = valueType.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(valueType))}"
            : valueType == typeof(double) ? "a number" : "a whole number";
        throw new ArgumentTransformationMetadataException($"'{text}' is not {expected}.");
    }
}
