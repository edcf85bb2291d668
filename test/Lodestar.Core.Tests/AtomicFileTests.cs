// Atomic writes: the target holds the old or the whole new content, and no temporary file outlives a write.
using Lodestar.Core;

namespace Lodestar.Core.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"lodestar-atomic-{Guid.NewGuid():N}");

    public AtomicFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AWriteReplacesTheTargetAndLeavesNoTemporaryFile()
    {
        var path = Path.Combine(_dir, "a.txt");
        File.WriteAllText(path, "old");
        AtomicFile.WriteAllText(path, "new");
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void AFailedWriteLeavesTheOldContentAndNoTemporaryFile()
    {
        var path = Path.Combine(_dir, "a.bin");
        File.WriteAllBytes(path, [1, 2, 3]);
        var failure = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write([9, 9, 9, 9]);
            throw new InvalidOperationException("disk on fire");
        }));
        Assert.Equal("disk on fire", failure.Message);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void AnOpenTemporaryFileIsInvisibleUntilCommittedAndGoneWhenAbandoned()
    {
        var path = Path.Combine(_dir, "sub", "b.jsonl");
        var stream = AtomicFile.CreateTemp(path);
        stream.Write("{}\n"u8);
        Assert.False(File.Exists(path));
        Assert.EndsWith(AtomicFile.TempSuffix, stream.Name, StringComparison.Ordinal);
        AtomicFile.Commit(stream, path);
        Assert.Equal("{}\n", File.ReadAllText(path));

        var abandoned = AtomicFile.CreateTemp(path);
        abandoned.Write("half"u8);
        AtomicFile.Abandon(abandoned);
        Assert.Equal("{}\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(Path.Combine(_dir, "sub")));
    }

    [Fact]
    public void TwoWritersOfOnePathGetDifferentTemporaryFiles()
    {
        var path = Path.Combine(_dir, "c.txt");
        var first = AtomicFile.CreateTemp(path);
        var second = AtomicFile.CreateTemp(path);
        Assert.NotEqual(first.Name, second.Name);
        first.Write("first"u8);
        second.Write("second"u8);
        AtomicFile.Commit(second, path);
        AtomicFile.Commit(first, path);
        Assert.Equal("first", File.ReadAllText(path));
    }

    [Fact]
    public void AFileWrittenByOtherCodeIsPublishedUnderTheTarget()
    {
        var path = Path.Combine(_dir, "world.db");
        var temp = AtomicFile.TempPathFor(path);
        Assert.Equal(_dir, Path.GetDirectoryName(temp));
        File.WriteAllText(temp, "rows");
        AtomicFile.Publish(temp, path);
        Assert.Equal("rows", File.ReadAllText(path));
        Assert.False(File.Exists(temp));
    }

    [Fact]
    public void TheNextHolderOfAnOutputsLockDeletesTheTemporaryFilesAKilledWriterLeftAndNoOthers()
    {
        var path = Path.Combine(_dir, "labels.jsonl");
        var left = AtomicFile.TempPathFor(path);
        File.WriteAllText(left, "half");
        var otherOutputs = AtomicFile.TempPathFor(Path.Combine(_dir, "labels.jsonl.manifest.json"));
        File.WriteAllText(otherOutputs, "half");
        using (OutputLock.Acquire(path + Path.DirectorySeparatorChar))
        {
            Assert.False(File.Exists(left));
            Assert.True(File.Exists(otherOutputs));
        }
    }
}
