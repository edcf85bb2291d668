// Atomic file writes: write a temporary file in the target's folder, flush it to disk, then rename it over the
// target, so a reader sees the old content or the complete new content, never a torn file; on failure the
// temporary file is deleted and the target is untouched.
namespace Lodestar.Core;

public static class AtomicFile
{
    /// <summary>
    /// Runs <paramref name="write"/> against a temporary file beside <paramref name="path"/> and renames it into
    /// place. If <paramref name="write"/> (or the flush) throws, the temporary file is deleted and
    /// <paramref name="path"/> is untouched.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var stream = CreateTemp(path);
        try
        {
            write(stream);
        }
        catch
        {
            Abandon(stream);
            throw;
        }
        Commit(stream, path);
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
            Abandon(stream);
            throw;
        }
        Commit(stream, path);
    }

    /// <summary>Writes a whole text as UTF-8 (no byte-order mark) atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Opens a new temporary file for <paramref name="path"/> (creating its folder); publish it with
    /// <see cref="Commit"/> or discard it with <see cref="Abandon"/>. For writers that keep the stream open
    /// across calls.
    /// </summary>
    public static FileStream CreateTemp(string path, int bufferSize = 1 << 16)
    {
        var temp = TempPathFor(path);
        Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
        return new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize);
    }

    /// <summary>Flushes <paramref name="stream"/> (from <see cref="CreateTemp"/>) to disk, closes it and renames it over <paramref name="path"/>.</summary>
    public static void Commit(FileStream stream, string path)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            stream.Flush(flushToDisk: true);
        }
        catch
        {
            Abandon(stream);
            throw;
        }
        stream.Dispose();
        Publish(stream.Name, path);
    }

    /// <summary>Closes and deletes an uncommitted temporary file.</summary>
    public static void Abandon(FileStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Dispose();
        File.Delete(stream.Name);
    }

    /// <summary>
    /// A fresh temporary path in <paramref name="path"/>'s folder, hidden and unique to this call, for files
    /// written by other code (a database) and then published with <see cref="Publish"/>.
    /// </summary>
    public static string TempPathFor(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var target = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(target) ?? throw new ArgumentException($"{path} has no folder", nameof(path));
        return Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}{TempSuffix}");
    }

    /// <summary>
    /// Deletes the temporary files of <paramref name="path"/> that writers killed before publishing left behind; only for a
    /// caller that alone writes <paramref name="path"/> (it holds its <see cref="OutputLock"/>).
    /// </summary>
    public static void DeleteLeftovers(string path)
    {
        var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var directory = Path.GetDirectoryName(target)!;
        if (Directory.Exists(directory))
        {
            var prefix = $".{Path.GetFileName(target)}.";
            foreach (var leftover in Directory.EnumerateFiles(directory, $"{prefix}*{TempSuffix}"))
            {
                // Only this path's own temporary names (TempPathFor), not those of a longer name it begins.
                var name = Path.GetFileName(leftover);
                if (Guid.TryParseExact(name.AsSpan(prefix.Length, name.Length - prefix.Length - TempSuffix.Length), "N", out _))
                {
                    File.Delete(leftover);
                }
            }
        }
    }

    /// <summary>The ending of every temporary file name, so a folder can be checked for leftovers.</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>Flushes a finished temporary file to disk and renames it over <paramref name="path"/>.</summary>
    public static void Publish(string tempPath, string path)
    {
        using (var handle = File.OpenHandle(tempPath, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.FlushToDisk(handle);
        }
        File.Move(tempPath, path, overwrite: true);
    }
}
