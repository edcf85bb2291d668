// A data file and its manifest: the old manifest is gone before the data changes, so a writer stopped at any point
// leaves the data with its own manifest or with none.
namespace Lodestar.Core.Tests;

public sealed class FileWithManifestTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-manifested-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Data => Path.Combine(_directory, "labels.jsonl");

    [Fact]
    public void AWriteReplacesTheDataThenItsManifest()
    {
        FileWithManifest.Write(Data, () => AtomicFile.WriteAllText(Data, "first"), () => "{\"n\":1}"u8.ToArray());
        FileWithManifest.Write(Data, () => AtomicFile.WriteAllText(Data, "second"), () => "{\"n\":2}"u8.ToArray());
        Assert.Equal("second", File.ReadAllText(Data));
        Assert.Equal("{\"n\":2}", File.ReadAllText(FileWithManifest.ManifestPath(Data)));
    }

    [Fact]
    public void AWriterStoppedAfterReplacingTheDataLeavesNoManifestOfTheOldData()
    {
        FileWithManifest.Write(Data, () => AtomicFile.WriteAllText(Data, "first"), () => "{\"n\":1}"u8.ToArray());
        Assert.Throws<IOException>(() => FileWithManifest.Write(Data, () => AtomicFile.WriteAllText(Data, "second"), () => throw new IOException("disk full")));
        Assert.Equal("second", File.ReadAllText(Data));
        Assert.False(File.Exists(FileWithManifest.ManifestPath(Data)));
    }
}
