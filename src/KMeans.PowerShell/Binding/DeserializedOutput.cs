using System.Management.Automation;

namespace KMeans.PowerShell.Binding;

/// <summary>
/// Turns the property bags that PowerShell's serializer makes of this module's output (Export-Clixml then Import-Clixml,
/// Start-Job, remoting) back into the live objects, so that a model or centroids that went through a file or a job keep
/// their cluster ids, metric, prices and history, and every cmdlet takes them as it takes the originals. KMeans.types.ps1xml
/// names it as the converter of each type and each live type as its deserialized bag's target, so Import-Clixml and
/// Receive-Job give live objects where the module is loaded; <see cref="VectorConverter.Unwrap"/> converts bags that
/// arrived before it was.
/// </summary>
public sealed class DeserializedOutput : PSTypeConverter
{
    private const string Prefix = "Deserialized.";

    private static readonly Dictionary<string, Func<PSObject, object>> Rehydrations = new(StringComparer.Ordinal)
    {
        [typeof(KMeansCentroid).FullName!] = Centroid,
        [typeof(KMeansModel).FullName!] = Model,
        [typeof(KMeansIteration).FullName!] = Iteration,
        [typeof(KMeansLevel).FullName!] = Level,
        [typeof(KMeansPartitionSizes).FullName!] = PartitionSizes,
        [typeof(KMeansBalancePass).FullName!] = BalancePass,
    };

    public override bool CanConvertFrom(object sourceValue, Type destinationType) =>
        sourceValue is PSObject bag && Rehydration(bag) is { } type && type == destinationType.FullName;

    public override object ConvertFrom(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase)
    {
        if (sourceValue is not PSObject bag || Rehydration(bag) is not { } type || type != destinationType.FullName)
            throw new PSInvalidCastException($"Only a deserialized {destinationType.Name} converts to a {destinationType.Name}.");
        return Rehydrations[type](bag);
    }

    public override bool CanConvertTo(object sourceValue, Type destinationType) => false;

    public override object ConvertTo(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase) =>
        throw new PSInvalidCastException($"A deserialized object converts only to the type it was made from, not to {destinationType.Name}.");

    /// <summary>
    /// The live object for a deserialized bag of one of this module's types; null for anything else, and for a bag that
    /// lost or changed properties on the way (another version of the module wrote it), with <paramref name="problem"/>
    /// saying which, for the caller's error.
    /// </summary>
    public static object? TryRehydrate(PSObject value, out string? problem)
    {
        problem = null;
        if (value.BaseObject is not PSCustomObject || Rehydration(value) is not { } type)
            return null;
        try
        {
            return Rehydrations[type](value);
        }
        catch (Exception e) when (e is PSInvalidCastException or ArgumentException)
        {
            problem = $"it is a deserialized {type[(type.LastIndexOf('.') + 1)..]} that cannot be made live again: {e.Message} (written by another version of the module?)";
            return null;
        }
    }

    /// <summary>Why <paramref name="item"/>, a deserialized object of this module's, could not be made live; else null.</summary>
    public static string? Problem(object? item)
    {
        if (item is not PSObject bag)
            return null;
        TryRehydrate(bag, out string? problem);
        return problem;
    }

    /// <summary>The live type's name when <paramref name="bag"/> is a deserialized object of one of this module's types.</summary>
    private static string? Rehydration(PSObject bag)
    {
        string? name = bag.TypeNames.Count > 0 ? bag.TypeNames[0] : null;
        return name is not null && name.StartsWith(Prefix, StringComparison.Ordinal)
            && Rehydrations.ContainsKey(name[Prefix.Length..])
            ? name[Prefix.Length..]
            : null;
    }

    private static KMeansCentroid Centroid(PSObject bag) =>
        new(Value<int>(bag, nameof(KMeansCentroid.ClusterId)), Value<long?>(bag, nameof(KMeansCentroid.Size)),
            Value<float[]>(bag, nameof(KMeansCentroid.Vector)), Value<KMeansDistance?>(bag, nameof(KMeansCentroid.Distance)),
            Value<float?>(bag, nameof(KMeansCentroid.Price)));

    private static KMeansModel Model(PSObject bag) =>
        new(Value<KMeansCentroid[]>(bag, nameof(KMeansModel.Centroids)), Value<KMeansDistance>(bag, nameof(KMeansModel.Distance)))
        {
            Loss = Value<double>(bag, nameof(KMeansModel.Loss)),
            Iterations = Value<int>(bag, nameof(KMeansModel.Iterations)),
            Converged = Value<bool>(bag, nameof(KMeansModel.Converged)),
            OnDisk = Value<bool>(bag, nameof(KMeansModel.OnDisk)),
            RowsRead = Value<long>(bag, nameof(KMeansModel.RowsRead)),
            SampleRows = Value<long>(bag, nameof(KMeansModel.SampleRows)),
            SkippedRows = Value<long>(bag, nameof(KMeansModel.SkippedRows)),
            Seed = Value<int>(bag, nameof(KMeansModel.Seed)),
            DurationSeconds = Value<double>(bag, nameof(KMeansModel.DurationSeconds)),
            History = Value<KMeansIteration[]>(bag, nameof(KMeansModel.History)),
            Tolerance = Value<double>(bag, nameof(KMeansModel.Tolerance)),
            MaxIterations = Value<int>(bag, nameof(KMeansModel.MaxIterations)),
            SampleRate = Value<int>(bag, nameof(KMeansModel.SampleRate)),
            Redos = Value<int>(bag, nameof(KMeansModel.Redos)),
            Initialization = Value<string?>(bag, nameof(KMeansModel.Initialization)),
            TrainDimension = Value<int?>(bag, nameof(KMeansModel.TrainDimension)),
            TrainDimensionLoss = Value<double?>(bag, nameof(KMeansModel.TrainDimensionLoss)),
            Input = Value<string[]>(bag, nameof(KMeansModel.Input)),
            ModuleVersion = Value<string?>(bag, nameof(KMeansModel.ModuleVersion)),
            Levels = Value<KMeansLevel[]>(bag, nameof(KMeansModel.Levels)),
            PartitionSizes = Value<KMeansPartitionSizes?>(bag, nameof(KMeansModel.PartitionSizes)),
            PricedPartitionSizes = Value<KMeansPartitionSizes?>(bag, nameof(KMeansModel.PricedPartitionSizes)),
            MinPartitionSize = Value<long?>(bag, nameof(KMeansModel.MinPartitionSize)),
            MaxPartitionSize = Value<long?>(bag, nameof(KMeansModel.MaxPartitionSize)),
            BalanceHistory = Value<KMeansBalancePass[]>(bag, nameof(KMeansModel.BalanceHistory)),
        };

    private static KMeansIteration Iteration(PSObject bag) =>
        new(Value<int>(bag, nameof(KMeansIteration.Redo)), Value<int>(bag, nameof(KMeansIteration.Iteration)),
            Value<double>(bag, nameof(KMeansIteration.Loss)), Value<double>(bag, nameof(KMeansIteration.RelativeChange)),
            Value<int>(bag, nameof(KMeansIteration.RepairedClusters)), Value<long>(bag, nameof(KMeansIteration.Reassigned)),
            Value<double>(bag, nameof(KMeansIteration.ImbalanceFactor)), Value<double>(bag, nameof(KMeansIteration.ElapsedSeconds)));

    private static KMeansLevel Level(PSObject bag) =>
        new(Value<int>(bag, nameof(KMeansLevel.Level)), Value<int>(bag, nameof(KMeansLevel.Nodes)),
            Value<long>(bag, nameof(KMeansLevel.Centroids)), Value<long>(bag, nameof(KMeansLevel.Rows)),
            Value<int>(bag, nameof(KMeansLevel.MaxIterations)), Value<int>(bag, nameof(KMeansLevel.ConvergedNodes)),
            Value<double>(bag, nameof(KMeansLevel.Loss)));

    private static KMeansPartitionSizes PartitionSizes(PSObject bag) =>
        new(Value<long>(bag, nameof(KMeansPartitionSizes.Min)), Value<long>(bag, nameof(KMeansPartitionSizes.Max)),
            Value<double>(bag, nameof(KMeansPartitionSizes.Mean)), Value<double>(bag, nameof(KMeansPartitionSizes.MaxOverMean)),
            Value<double>(bag, nameof(KMeansPartitionSizes.MinOverMean)),
            Value<double>(bag, nameof(KMeansPartitionSizes.CoefficientOfVariation)));

    private static KMeansBalancePass BalancePass(PSObject bag) =>
        new(Value<int>(bag, nameof(KMeansBalancePass.Pass)), Value<double>(bag, nameof(KMeansBalancePass.Loss)),
            Value<long>(bag, nameof(KMeansBalancePass.Displaced)), Value<long>(bag, nameof(KMeansBalancePass.Reassigned)),
            Value<KMeansPartitionSizes>(bag, nameof(KMeansBalancePass.Sizes)),
            Value<double>(bag, nameof(KMeansBalancePass.ElapsedSeconds)));

    /// <summary>
    /// A property of the bag as <typeparamref name="T"/>; nested bags convert through this class (a type's converter
    /// is found by the target type, or called here directly where the module's types are not loaded).
    /// </summary>
    private static T Value<T>(PSObject bag, string name)
    {
        if (bag.Properties[name] is not { } property)
            throw new PSInvalidCastException($"The deserialized object has no '{name}' property.");
        return (T)Convert(property.Value, typeof(T))!;
    }

    private static object? Convert(object? value, Type type)
    {
        if (value is null)
            return Nullable.GetUnderlyingType(type) is not null || !type.IsValueType
                ? null
                : throw new PSInvalidCastException($"A {type.Name} value is missing.");
        Type target = Nullable.GetUnderlyingType(type) ?? type;
        if (target.IsArray && target != typeof(float[]) && target != typeof(string[]))
        {
            Type element = target.GetElementType()!;
            if (VectorConverter.Unwrap(value) is not System.Collections.IEnumerable items || VectorConverter.Unwrap(value) is string)
                throw new PSInvalidCastException($"A list of {element.Name} arrived as a {value.GetType().Name}.");
            var converted = new List<object?>();
            foreach (object? item in items)
                converted.Add(Convert(item, element));
            var array = Array.CreateInstance(element, converted.Count);
            for (int i = 0; i < converted.Count; i++)
                array.SetValue(converted[i], i);
            return array;
        }
        if (value is PSObject bag && Rehydration(bag) is { } name && Rehydrations.TryGetValue(name, out var rehydrate))
            return rehydrate(bag);
        if (VectorConverter.Unwrap(value) is { } live && target.IsInstanceOfType(live))
            return live;
        if (Rehydrations.ContainsKey(target.FullName!))
            throw new PSInvalidCastException($"A {target.Name} arrived as a {value.GetType().Name} ('{value}').");
        return LanguagePrimitives.ConvertTo(value, target, System.Globalization.CultureInfo.InvariantCulture);
    }
}
