// A result that is one data file with a manifest beside it (PATH.manifest.json) telling where it came from. The old
// manifest is deleted before the data is replaced and the new one written after it, each write atomic, so a kill at
// any point leaves the data with its own manifest or with none, never beside the manifest of other data.
namespace Lodestar.Core;

public static class FileWithManifest
{
    /// <summary>The manifest of <paramref name="path"/>.</summary>
    public static string ManifestPath(string path) => path + ".manifest.json";

    /// <summary>Replaces the data by <paramref name="writeData"/> (which must write <paramref name="path"/> atomically), then its manifest.</summary>
    public static void Write(string path, Action writeData, Func<byte[]> manifest)
    {
        File.Delete(ManifestPath(path));
        writeData();
        AtomicFile.WriteAllBytes(ManifestPath(path), manifest());
    }
}
