// Writes a file so that readers see either the old content or the complete new content, never a torn
// file: write a temp file in the same directory, flush it to disk, then rename it over the target.
namespace Lodestar.Tensors.Serialization;

public static class AtomicFile
{
    /// <summary>
    /// Runs <paramref name="write"/> against a temp file beside <paramref name="path"/> and renames it into place.
    /// If <paramref name="write"/> (or the flush) throws, the temp file is deleted and <paramref name="path"/> is untouched.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var target = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(target) ?? throw new ArgumentException($"{path} has no directory", nameof(path));
        var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
            throw;
        }
    }
}
