using System.Diagnostics;
using KMeans.Core.Files;

namespace KMeans.Core.Tests.Files;

/// <summary>Which temporary files of a target a new write removes: those of killed writers, never a running one's.</summary>
public sealed class AtomicFileTemporaryTests
{
    private static readonly DateTime BeforeThisProcess =
        Process.GetCurrentProcess().StartTime.ToUniversalTime().AddMinutes(-1);

    [Fact]
    public void ARunningWritersTemporaryFileIsKeptHoweverOldAndAKilledOnesIsRemoved()
    {
        using var temp = new TempDirectory();
        string target = temp.File("labels.arrow");
        string running = temp.File($".labels.arrow.{Guid.NewGuid():N}.tmp");
        string killed = temp.File($".labels.arrow.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(killed, "a killed writer's rows");
        File.SetLastWriteTimeUtc(killed, BeforeThisProcess);
        // Another process's writer, which buffers its rows, so its file still carries the date it was created.
        using (var writer = new FileStream(running, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
        {
            File.SetLastWriteTimeUtc(running, BeforeThisProcess);

            AtomicFile.Write(target, overwrite: false, stream => stream.WriteByte(1));

            Assert.True(File.Exists(running));
            Assert.False(File.Exists(killed));
        }

        AtomicFile.Write(target, overwrite: true, stream => stream.WriteByte(2));
        Assert.Equal(["labels.arrow"], temp.FileNames());
    }
}
