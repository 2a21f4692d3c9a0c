namespace KMeans.Core.Files;

/// <summary>The element type of a TEXMEX vector file: <c>.fvecs</c> holds float32, <c>.bvecs</c> bytes.</summary>
internal enum VecsElement
{
    Float32,
    Byte,
}
