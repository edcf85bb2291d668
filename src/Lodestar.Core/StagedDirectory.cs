// A directory a command writes as a whole (a generated or imported world): written beside its destination under an
// exclusive lock and swapped in only when complete, so a failed or killed run leaves the previous result as it was,
// two runs into one destination never mix their files (the second is refused at once), and a reader never sees half
// a result. A destination that is not empty and is not a result of this kind (no marker file) is never replaced, and
// a complete result is replaced only when the caller says so.
namespace Lodestar.Core;

public static class StagedDirectory
{
    /// <summary>
    /// Runs <paramref name="write"/> on an empty staging directory beside <paramref name="destination"/>, then replaces the
    /// destination with it. <paramref name="marker"/> is the file every complete result holds (a manifest written last):
    /// an existing destination without it is refused unless empty, and one with it unless <paramref name="replace"/>.
    /// </summary>
    public static T Write<T>(string destination, string marker, bool replace, Func<string, T> write)
    {
        var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(destination));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var staging = target + ".partial";
        var replaced = target + ".replaced";
        using var owner = OutputLock.Acquire(target);
        // A run killed between its two moves left the previous result here; it is the newest complete one.
        if (!Directory.Exists(target) && Directory.Exists(replaced))
        {
            Directory.Move(replaced, target);
        }
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() && !File.Exists(Path.Combine(target, marker)))
        {
            throw new IOException($"{target}: exists, is not empty and holds no {marker}, so it is not a result this command wrote; choose a new or empty directory");
        }
        if (!replace && File.Exists(Path.Combine(target, marker)))
        {
            throw ExistingOutput.Refusal(target, $"a complete result ({marker})");
        }
        // Staging left by a killed run: nobody else writes it while the lock is held.
        DeleteIfPresent(staging);
        Directory.CreateDirectory(staging);
        T result;
        try
        {
            result = write(staging);
            if (!File.Exists(Path.Combine(staging, marker)))
            {
                throw new InvalidOperationException($"{staging}: the writer finished without writing {marker}");
            }
        }
        catch
        {
            DeleteIfPresent(staging);
            throw;
        }
        DeleteIfPresent(replaced);
        if (Directory.Exists(target))
        {
            Directory.Move(target, replaced);
        }
        Directory.Move(staging, target);
        DeleteIfPresent(replaced);
        return result;
    }

    private static void DeleteIfPresent(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
