using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace KMeans.Core.Files;

/// <summary>
/// The temporary files of the atomic writes in progress and the checkpoint locks held, removed when the process is
/// told to terminate (SIGTERM, as kill, systemd and CI cancellation send it; SIGHUP, when its terminal closes): those
/// end the process without unwinding, so no write could clean up after itself, and its temporary file would stay
/// until a later write of the same target (a lock, until the next training on its checkpoint). The signal then takes
/// its default course. Ctrl+C needs none of this: it stops the pipeline, and each write removes its own file.
/// </summary>
internal static class LiveTemporaries
{
    private static readonly ConcurrentDictionary<string, byte> Paths = new(StringComparer.Ordinal);
    private static readonly Lazy<PosixSignalRegistration[]> Registrations = new(Register);

    public static void Add(string path)
    {
        _ = Registrations.Value;
        Paths.TryAdd(path, 0);
    }

    public static void Remove(string path) => Paths.TryRemove(path, out _);

    private static PosixSignalRegistration[] Register()
    {
        var registrations = new List<PosixSignalRegistration>();
        foreach (PosixSignal signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            try
            {
                registrations.Add(PosixSignalRegistration.Create(signal, _ => RemoveAll()));
            }
            catch (PlatformNotSupportedException)
            {
                // Where the platform has no such signal, nothing sends it.
            }
        }
        return [.. registrations];
    }

    private static void RemoveAll()
    {
        foreach (string path in Paths.Keys)
            AtomicFile.DeleteQuietly(path);
    }
}
