using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KMeans.Bench;

/// <summary>What the figures were measured on, including how busy the machine was (it is often shared).</summary>
internal sealed record MachineInfo(string Cpu, int Cores, string Runtime, bool Avx512, bool Vector512Accelerated,
    string LoadAverage)
{
    public static MachineInfo Current() => new(CpuModel(), Environment.ProcessorCount,
        RuntimeInformation.FrameworkDescription, Avx512F.IsSupported, Vector512.IsHardwareAccelerated, LoadAverageNow());

    /// <summary>The 1, 5 and 15 minute load averages; above the core count, other jobs competed for the CPU.</summary>
    public static string LoadAverageNow()
    {
        try
        {
            string[] parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(" ", parts.Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private static string CpuModel()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    public override string ToString() =>
        $"{Cpu}, {Cores} cores, {Runtime}, AVX-512 {(Avx512 ? "yes" : "no")}, Vector512 accelerated {(Vector512Accelerated ? "yes" : "no")}, load average {LoadAverage}";
}
