using System.Diagnostics;
using System.Globalization;

namespace KMeans.Bench;

/// <summary>
/// numpy's float32 sgemm rate on this machine (a 4096³ product on all cores, OpenBLAS choosing its own kernels), the
/// BLAS bound an iteration is compared with: 2·n·K·d flops at this rate. One /usr/bin/python3 stays up for the run and
/// times one product per <see cref="Sample"/>, so that a scenario can take an sgemm sample in every round, between its
/// own measurements: the bound then sees the same machine, busy or quiet, as the iterations it bounds. It answers 0.2 s
/// after the product, once OpenBLAS's threads have gone to sleep.
/// </summary>
internal sealed class SgemmRate : IDisposable
{
    private const string Script = """
        import sys, time
        import numpy as np
        a = np.random.default_rng(0).random((4096, 4096), dtype=np.float32)
        a @ a
        print("ready", flush=True)
        for _ in sys.stdin:
            t = time.perf_counter(); a @ a; t = time.perf_counter() - t
            time.sleep(0.2)
            print(2 * 4096 ** 3 / t / 1e9, flush=True)
        """;

    private readonly Process _python;

    private SgemmRate(Process python) => _python = python;

    /// <summary>Starts numpy, or stops with a usage error naming the Debian packages when it (with OpenBLAS) is missing.</summary>
    public static SgemmRate Start()
    {
        var start = new ProcessStartInfo("/usr/bin/python3", ["-c", Script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("OPENBLAS_CORETYPE");
        start.Environment.Remove("OPENBLAS_L2_SIZE");
        // OpenBLAS's idle threads spin for 2^28 cycles (about 70 ms) before they sleep, which took a core from the
        // round after each sample: the shortest the library allows, and a pause before answering (see Script).
        start.Environment["OPENBLAS_THREAD_TIMEOUT"] = "4";
        Process python;
        try
        {
            python = Process.Start(start) ?? throw new BenchUsageException("Could not start /usr/bin/python3.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new BenchUsageException($"Could not start /usr/bin/python3 ({e.Message}). Install: apt-get install -y python3-numpy libopenblas0-pthread");
        }
        var rate = new SgemmRate(python);
        if (python.StandardOutput.ReadLine() != "ready")
        {
            string error = python.StandardError.ReadToEnd();
            rate.Dispose();
            throw new BenchUsageException(
                $"numpy's sgemm could not be timed ({error.Trim()}). Install: apt-get install -y python3-numpy libopenblas0-pthread");
        }
        return rate;
    }

    /// <summary>Times one product: GFLOP/s.</summary>
    public double Sample()
    {
        _python.StandardInput.WriteLine();
        string? line = _python.StandardOutput.ReadLine();
        if (!double.TryParse(line, NumberStyles.Float, CultureInfo.InvariantCulture, out double gflops))
            throw new BenchUsageException($"numpy's sgemm stopped answering ({_python.StandardError.ReadToEnd().Trim()}).");
        return gflops;
    }

    public void Dispose()
    {
        _python.StandardInput.Close();
        if (!_python.WaitForExit(10_000))
            _python.Kill();
        _python.Dispose();
    }
}
