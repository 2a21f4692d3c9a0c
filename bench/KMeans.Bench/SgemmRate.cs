using System.Diagnostics;
using System.Globalization;

namespace KMeans.Bench;

/// <summary>
/// numpy's float32 sgemm rate on this machine (best of three 4096³ products on all cores, OpenBLAS choosing its own
/// kernels), the BLAS bound an iteration is compared with: 2·n·K·d flops at this rate. Measured by starting
/// /usr/bin/python3, so that it can be taken between the bench's own measurements in one run.
/// </summary>
internal static class SgemmRate
{
    private const string Script = """
        import time
        import numpy as np
        a = np.random.default_rng(0).random((4096, 4096), dtype=np.float32)
        a @ a
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter(); a @ a; best = min(best, time.perf_counter() - t)
        print(2 * 4096 ** 3 / best / 1e9)
        """;

    /// <summary>GFLOP/s, or a usage error naming the Debian packages when numpy (with OpenBLAS) is missing.</summary>
    public static double Measure()
    {
        var start = new ProcessStartInfo("/usr/bin/python3", ["-c", Script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("OPENBLAS_CORETYPE");
        start.Environment.Remove("OPENBLAS_L2_SIZE");
        using Process python = Process.Start(start) ?? throw new BenchUsageException("Could not start /usr/bin/python3.");
        string output = python.StandardOutput.ReadToEnd();
        string error = python.StandardError.ReadToEnd();
        python.WaitForExit();
        if (python.ExitCode != 0 || !double.TryParse(output.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double gflops))
            throw new BenchUsageException(
                $"numpy's sgemm could not be timed ({error.Trim()}). Install: apt-get install -y python3-numpy libopenblas0-pthread");
        return gflops;
    }
}
