using System.Runtime.InteropServices;

namespace KMeans.Core.Buffers;

/// <summary>
/// The type, owner and permission bits of a path without following a symbolic link, via Linux <c>statx</c>, whose
/// structure (unlike <c>struct stat</c>) has the same layout on every architecture. .NET exposes neither the file type
/// (a FIFO or a device looks like a file) nor the owner, and a writer that replaces a file needs both.
/// </summary>
internal readonly record struct UnixFileStatus(UnixFileType Type, uint UserId, uint GroupId)
{
    private const int CurrentDirectory = -100;
    private const int NoFollowSymbolicLink = 0x100;
    private const uint TypeModeAndOwner = 0x1 | 0x2 | 0x8 | 0x10;
    private const int StatxSize = 256;
    private const int UserIdOffset = 20;
    private const int GroupIdOffset = 24;
    private const int ModeOffset = 28;

    /// <summary>
    /// The status of <paramref name="path"/> (of the link itself unless <paramref name="followLinks"/>), or null when
    /// it does not exist or statx is not available (not Linux, old kernels).
    /// </summary>
    public static unsafe UnixFileStatus? Of(string path, bool followLinks = false)
    {
        if (!OperatingSystem.IsLinux())
            return null;
        byte* buffer = stackalloc byte[StatxSize];
        try
        {
            if (Statx(CurrentDirectory, path, followLinks ? 0 : NoFollowSymbolicLink, TypeModeAndOwner, buffer) != 0)
                return null;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
        ushort mode = *(ushort*)(buffer + ModeOffset);
        UnixFileType type = (mode & 0xF000) switch
        {
            0x8000 => UnixFileType.Regular,
            0x4000 => UnixFileType.Directory,
            0xA000 => UnixFileType.SymbolicLink,
            0x1000 => UnixFileType.Fifo,
            0x2000 => UnixFileType.CharacterDevice,
            0x6000 => UnixFileType.BlockDevice,
            0xC000 => UnixFileType.Socket,
            _ => UnixFileType.Other,
        };
        return new UnixFileStatus(type, *(uint*)(buffer + UserIdOffset), *(uint*)(buffer + GroupIdOffset));
    }

    /// <summary>Gives <paramref name="path"/> an owner and group; false when the caller may not (not root).</summary>
    public static bool TryChangeOwner(string path, uint userId, uint groupId) =>
        OperatingSystem.IsLinux() && ChangeOwner(path, userId, groupId) == 0;

    public static bool IsRoot => OperatingSystem.IsLinux() && GetEffectiveUserId() == 0;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern unsafe int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte* buffer);

    [DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    private static extern int ChangeOwner([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint userId, uint groupId);

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();
}

internal enum UnixFileType
{
    Regular,
    Directory,
    SymbolicLink,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,
    Other,
}
