namespace KMeans.Core.Planning;

/// <summary>The bytes this user can still write in a directory's file system, as the plan and the tree's node files see it.</summary>
public static class FreeSpace
{
    public static long Bytes(string directory) => new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
}
