// An output a command is about to write over: refused unless the command was told to replace it (--force), so
// rerunning a command never destroys a finished result by accident.
namespace Lodestar.Core;

public static class ExistingOutput
{
    /// <summary>Throws IOException naming <paramref name="path"/> when it is a file or a non-empty directory and <paramref name="replace"/> is false.</summary>
    public static void RefuseUnlessReplacing(string path, bool replace, string what)
    {
        if (!replace && Holds(path))
        {
            throw Refusal(path, what);
        }
    }

    /// <summary>The error for an output that already holds <paramref name="what"/>.</summary>
    public static IOException Refusal(string path, string what) =>
        new($"{Path.GetFullPath(path)}: already holds {what}; pass --force to replace it, or choose another path");

    private static bool Holds(string path) => File.Exists(path) || (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any());
}
