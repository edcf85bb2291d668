// The exclusive claim of one command on an output (a file or directory it writes): a lock file beside the output, held
// open without sharing for as long as the command writes, so a second command writing the same output is refused at
// once instead of interleaving with the first. The lock is the operating system's (released when the process dies),
// and the file is removed when the holder closes it. The new holder deletes the temporary files a killed holder left.
namespace Lodestar.Core;

public static class OutputLock
{
    /// <summary>The lock file of an output: its full path with ".lock" appended.</summary>
    public static string PathOf(string output) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(output)) + ".lock";

    /// <summary>Claims <paramref name="output"/> until the returned handle is disposed; throws IOException naming it when another holds it.</summary>
    public static IDisposable Acquire(string output)
    {
        var path = PathOf(output);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        FileStream held;
        try
        {
            held = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException ex)
        {
            throw new IOException($"{Path.GetFullPath(output)}: another command is writing it now (it holds {path}); wait for it, or write elsewhere", ex);
        }
        AtomicFile.DeleteLeftovers(output);
        return held;
    }
}
