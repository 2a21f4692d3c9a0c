using System.Runtime.Intrinsics.X86;

namespace KMeans.Tests;

/// <summary>A machine feature some tests need; without it they are reported as skipped, with the reason.</summary>
public enum Gate
{
    /// <summary>Linux: /proc, /sys and PATH_MAX as these tests use them.</summary>
    Linux,

    /// <summary>A Unix file system: permission bits, files unlinked while open.</summary>
    Unix,

    /// <summary>AVX-512 Foundation: the kernel's wide tile.</summary>
    Avx512,

    /// <summary>AVX2 with FMA: the kernel's 256-bit tile.</summary>
    Avx2Fma,
}

/// <summary>The one definition of each gate: whether this machine has it, and what a skipped test says otherwise.</summary>
public static class Gates
{
    /// <summary>Null when the machine has the feature, else the reason a test needing it is skipped.</summary>
    public static string? MissingReason(Gate gate) => gate switch
    {
        Gate.Linux => OperatingSystem.IsLinux() ? null : "Needs Linux (/proc, /sys, PATH_MAX).",
        Gate.Unix => OperatingSystem.IsWindows() ? "Needs a Unix file system (permission bits, unlink while open)." : null,
        Gate.Avx512 => Avx512F.IsSupported ? null : "Needs AVX-512F: the wide tile does not run on this CPU.",
        Gate.Avx2Fma => Avx2.IsSupported && Fma.IsSupported ? null : "Needs AVX2 and FMA: the 256-bit tile does not run on this CPU.",
        _ => throw new ArgumentOutOfRangeException(nameof(gate), gate, "Unknown gate."),
    };
}
