using System.Globalization;
using System.Management.Automation;

namespace KMeans.PowerShell.Binding;

/// <summary>
/// ValidateRange for a parameter that may be bound as null (an empty CSV cell through <see cref="EmptyAsNullAttribute"/>,
/// meaning "not given"): PowerShell's own refuses null, so a CSV of scenarios with an empty cell failed where its
/// help says the cell means none.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class ValidateRangeWhenGivenAttribute(double minimum, double maximum) : ValidateArgumentsAttribute
{
    protected override void Validate(object? arguments, EngineIntrinsics engineIntrinsics)
    {
        if (VectorConverter.Unwrap(arguments) is not { } value)
            return;
        double number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        if (number >= minimum && number <= maximum)
            return;
        if (!double.IsFinite(number))
            throw new ValidationMetadataException(string.Create(CultureInfo.InvariantCulture,
                $"The argument {number} is not a finite number. Supply {(maximum == double.MaxValue ? $"{minimum} or more" : $"a number from {minimum} to {maximum}")}, or none."));
        throw new ValidationMetadataException(maximum == double.MaxValue
            ? string.Create(CultureInfo.InvariantCulture, $"The argument {number} is less than {minimum}. Supply {minimum} or more, or none.")
            : string.Create(CultureInfo.InvariantCulture, $"The argument {number} is not from {minimum} to {maximum}. Supply a number in that range, or none."));
    }
}
