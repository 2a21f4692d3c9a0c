using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Management.Automation;
using KMeans.PowerShell.Errors;
using KMeans.Core.Files;
using KMeans.Core.Numerics;

namespace KMeans.PowerShell.Binding;

/// <summary>
/// Turns what users pipe in into float vectors: float[] and double[] as they are, any list of numbers, or an object
/// (or hashtable) whose property named by -VectorProperty holds such a list.
/// </summary>
internal static class VectorConverter
{
    /// <summary>What a single number usually means among piped vectors: an array piped without the unary comma.</summary>
    private const string PipedOneNumberAtATime =
        "a vector piped as $vector arrives one number at a time: pipe ,$vector, or give the vectors to -InputObject.";

    /// <param name="otherForms">What else the caller takes, named in the problem (for input vectors: naming the
    /// property with -VectorProperty).</param>
    /// <param name="narrowing">Where float64 values of a vector of its dimension are noted as they are read as float32.</param>
    /// <param name="singleNumber">What to say of an item that is a single number (for centroids: how to give one).</param>
    public static bool TryConvert(object? item, string vectorProperty, [NotNullWhen(true)] out float[]? vector,
        [NotNullWhen(false)] out string? problem, string otherForms = "or name the property with -VectorProperty",
        Float64Narrowing? narrowing = null, string singleNumber = PipedOneNumberAtATime)
    {
        if (Unwrap(item) is IList { Count: > 0 } items && !IsNumberList(items)
            && items.Cast<object?>().Any(element => !IsScalar(Unwrap(element))))
        {
            // A list of vectors as one item (piped whole because one of them is not a vector): say which. Its elements
            // are taken one level deep only, so that a list that holds itself ends here.
            for (int k = 0; k < items.Count; k++)
            {
                if (!TryConvertOne(items[k], vectorProperty, out _, out string? inner, otherForms, null, singleNumber))
                {
                    string list = items.Count == 1 ? "a list of 1 item" : $"a list of {items.Count} items";
                    (vector, problem) = (null, $"it is {list}, not of numbers, and its item {k} is not a vector: {inner}");
                    return false;
                }
            }
            (vector, problem) = (null, items.Count == 1 ? "it is a list holding 1 vector, not the vector itself."
                : $"it is a list of {items.Count} vectors, not one vector.");
            return false;
        }
        return TryConvertOne(item, vectorProperty, out vector, out problem, otherForms, narrowing, singleNumber);
    }

    /// <summary>
    /// Whether <paramref name="item"/> is a vector as <see cref="TryConvert"/> takes one, without converting it: a
    /// list piped whole is checked element by element before its vectors are converted one by one.
    /// </summary>
    public static bool IsVector(object? item, string vectorProperty) => VectorValue(item, vectorProperty) switch
    {
        float[] or double[] => true,
        IList { Count: > 0 } list => list.Cast<object?>().All(element => IsNumber(Unwrap(element))),
        _ => false,
    };

    /// <summary>A null, a string or a value type (a number, a Boolean): what a vector's values are, or fail to be.</summary>
    private static bool IsScalar(object? value) => value is null or string or ValueType;

    private static bool TryConvertOne(object? item, string vectorProperty, [NotNullWhen(true)] out float[]? vector,
        [NotNullWhen(false)] out string? problem, string otherForms, Float64Narrowing? narrowing, string singleNumber)
    {
        if (Unwrap(item) is null)
        {
            (vector, problem) = (null, "it is null.");
            return false;
        }
        if (IsNumber(Unwrap(item)))
        {
            (vector, problem) = (null, $"it is a single number ({TypeWords.WithArticle(TypeName(item))}); {singleNumber}");
            return false;
        }
        if (VectorValue(item, vectorProperty) is not { } value)
        {
            (vector, problem) = (null, $"it is {TypeWords.WithArticle(TypeName(item))} without a '{vectorProperty}' property holding numbers " +
                $"(pass float[] or double[] arrays, {otherForms}).");
            return false;
        }
        return TryConvertNumbers(value, out vector, out problem, narrowing);
    }

    /// <summary>
    /// What holds <paramref name="item"/>'s numbers: the item itself when it is a list (so that one whose values are
    /// not all numbers says which value is not), else its property <paramref name="vectorProperty"/>; null if neither.
    /// </summary>
    private static object? VectorValue(object? item, string vectorProperty)
    {
        object? value = Unwrap(item);
        if (value is null or IList and not IDictionary)
            return value;
        return Unwrap(PropertyValue(item!, value, vectorProperty));
    }

    /// <summary>True for a list whose values are numbers (a vector), as opposed to a list of vectors or objects.</summary>
    public static bool IsNumberList(object? value)
    {
        value = Unwrap(value);
        if (value is float[] or double[])
            return true;
        if (value is string or IDictionary || value is not IList list)
            return false;
        return list.Count > 0 && IsNumber(Unwrap(list[0]));
    }

    /// <summary>The object under PowerShell's wrapper.</summary>
    public static object? Unwrap(object? value) => value is PSObject psObject ? psObject.BaseObject : value;

    /// <summary>
    /// <see cref="Unwrap"/>, with a deserialized model, centroid or part of one (a Clixml file or a job's output, read
    /// before the module's types were loaded) as the live object it was made from: for what takes centroids and
    /// models, not for every piped vector.
    /// </summary>
    public static object? UnwrapLive(object? value) => value is PSObject { BaseObject: PSCustomObject } psObject
        ? DeserializedOutput.TryRehydrate(psObject, out _) ?? psObject.BaseObject
        : Unwrap(value);

    private static object? PropertyValue(object item, object baseObject, string name)
    {
        if (baseObject is IDictionary dictionary)
            return dictionary.Contains(name) ? dictionary[name] : null;
        return PSObject.AsPSObject(item).Properties[name]?.Value;
    }

    private static bool TryConvertNumbers(object value, [NotNullWhen(true)] out float[]? vector,
        [NotNullWhen(false)] out string? problem, Float64Narrowing? narrowing)
    {
        switch (value)
        {
            case float[] floats:
                (vector, problem) = ((float[])floats.Clone(), null);
                return true;
            case double[] doubles when narrowing?.Dimension == doubles.Length:
                vector = new float[doubles.Length];
                narrowing.NarrowRows(doubles, vector);
                problem = null;
                return true;
            case double[] doubles:
                vector = Array.ConvertAll(doubles, BeyondFloat32.Narrow);
                problem = null;
                return true;
            case IList { Count: 0 }:
                (vector, problem) = (null, "it is an empty list.");
                return false;
            case IList list when value is not string:
                vector = new float[list.Count];
                double[]? wide = narrowing?.Dimension == list.Count ? new double[list.Count] : null;
                for (int i = 0; i < list.Count; i++)
                {
                    object? element = Unwrap(list[i]);
                    if (!IsNumber(element))
                    {
                        (vector, problem) = (null, $"value {i} is {TypeWords.Of(element)}, not a number.");
                        return false;
                    }
                    vector[i] = NarrowValue(element!);
                    if (wide is not null)
                        wide[i] = WideValue(element!);
                }
                // Whole numbers among doubles are noted too: their range counts as much as the doubles'.
                if (wide is not null)
                    narrowing!.NoteRow(wide, vector);
                problem = null;
                return true;
            default:
                (vector, problem) = (null, $"it is {TypeWords.Of(value)}, not a list of numbers.");
                return false;
        }
    }

    /// <summary>
    /// A number as float32, rounded once; one beyond float32's range (a JSON integer of 40 digits) as
    /// <see cref="BeyondFloat32.Value"/>, for the checks to refuse as out of range. The types that are not IConvertible
    /// convert by their own operators.
    /// </summary>
    private static float NarrowValue(object number) => number switch
    {
        double value => BeyondFloat32.Narrow(value),
        Half value => (float)value,
        BigInteger value => InRange((float)value),
        Int128 value => (float)value,
        UInt128 value => InRange((float)value),
        _ => Convert.ToSingle(number, CultureInfo.InvariantCulture),
    };

    /// <summary>A number as double, for the float64 check; as <see cref="NarrowValue"/> for the types that are not IConvertible.</summary>
    private static double WideValue(object number) => number switch
    {
        Half value => (double)value,
        BigInteger value => (double)value,
        Int128 value => (double)value,
        UInt128 value => (double)value,
        _ => Convert.ToDouble(number, CultureInfo.InvariantCulture),
    };

    /// <summary>A whole number rounded to an infinity lies beyond float32's range.</summary>
    private static float InRange(float narrowed) => float.IsInfinity(narrowed) ? BeyondFloat32.Value : narrowed;

    private static bool IsNumber(object? value) => value is byte or sbyte or short or ushort or int or uint or long
        or ulong or float or double or decimal or Half or BigInteger or Int128 or UInt128;

    private static string TypeName(object? item) => item is PSObject { BaseObject: PSCustomObject } ? "PSCustomObject"
        : Unwrap(item)?.GetType().Name ?? "null";
}
