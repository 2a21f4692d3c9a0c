using System.Text.Json;
using System.Text.Json.Serialization;

namespace KMeans.Bench;

/// <summary>The one JSON shape used for the report file and for results passed back by child processes.</summary>
internal static class BenchJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static readonly JsonSerializerOptions SingleLine = new(Options) { WriteIndented = false };
}
