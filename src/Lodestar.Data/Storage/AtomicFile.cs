// Atomic file writes: write to a temporary file beside the target, flush to disk, then rename over the
// target, so a crash never leaves a half-written file under the final name.
namespace Lodestar.Data.Storage;

public static class AtomicFile
{
    /// <summary>Opens a temporary stream for <paramref name="path"/>; call <see cref="Commit"/> to publish it.</summary>
    public static FileStream CreateTemp(string path, int bufferSize = 1 << 16)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        return new FileStream(TempPath(path), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize);
    }

    /// <summary>Flushes <paramref name="stream"/> to disk, closes it and renames it over <paramref name="path"/>.</summary>
    public static void Commit(FileStream stream, string path)
    {
        stream.Flush(flushToDisk: true);
        stream.Dispose();
        File.Move(TempPath(path), path, overwrite: true);
    }

    /// <summary>Closes and deletes an uncommitted temporary file.</summary>
    public static void Abandon(FileStream stream, string path)
    {
        stream.Dispose();
        File.Delete(TempPath(path));
    }

    /// <summary>Writes a whole byte array atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var stream = CreateTemp(path);
        try
        {
            stream.Write(bytes);
        }
        catch
        {
            Abandon(stream, path);
            throw;
        }
        Commit(stream, path);
    }

    public static string TempPath(string path) => path + ".tmp";
}
