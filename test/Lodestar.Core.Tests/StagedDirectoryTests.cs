// A result directory is replaced whole or not at all: a failed write leaves the previous result and no staging behind,
// a successful one leaves none of the previous files, a second writer is refused while the first holds the lock, a
// foreign non-empty directory is never replaced, a complete result only when the caller says so, and a result moved
// aside by a run killed mid-swap is restored.
namespace Lodestar.Core.Tests;

public sealed class StagedDirectoryTests : IDisposable
{
    private const string Marker = "manifest.json";

    private readonly string _root = Directory.CreateTempSubdirectory("lodestar-staged-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Target => Path.Combine(_root, "world");

    private static int WriteResult(string directory, string content)
    {
        File.WriteAllText(Path.Combine(directory, "data.jsonl"), content);
        File.WriteAllText(Path.Combine(directory, Marker), "{}");
        return content.Length;
    }

    [Fact]
    public void ASuccessfulWriteReplacesTheWholePreviousResult()
    {
        StagedDirectory.Write(Target, Marker, replace: true, d =>
        {
            File.WriteAllText(Path.Combine(d, "old-only.jsonl"), "x");
            return WriteResult(d, "first");
        });
        Assert.Equal(6, StagedDirectory.Write(Target, Marker, replace: true, d => WriteResult(d, "second")));
        Assert.Equal("second", File.ReadAllText(Path.Combine(Target, "data.jsonl")));
        Assert.False(File.Exists(Path.Combine(Target, "old-only.jsonl")));
        Assert.Equal([Target], Directory.GetFileSystemEntries(_root));
    }

    [Fact]
    public void AFailedWriteLeavesThePreviousResultAndNoStaging()
    {
        StagedDirectory.Write(Target, Marker, replace: true, d => WriteResult(d, "first"));
        Assert.Throws<FormatException>(() => StagedDirectory.Write<int>(Target, Marker, replace: true, d =>
        {
            File.WriteAllText(Path.Combine(d, "data.jsonl"), "half");
            throw new FormatException("bad line 2");
        }));
        Assert.Throws<InvalidOperationException>(() => StagedDirectory.Write(Target, Marker, replace: true, d => 0));
        Assert.Equal("first", File.ReadAllText(Path.Combine(Target, "data.jsonl")));
        Assert.Equal([Target], Directory.GetFileSystemEntries(_root));
    }

    [Fact]
    public void ASecondWriterIsRefusedWhileTheFirstWrites()
    {
        var error = Assert.Throws<IOException>(() => StagedDirectory.Write(Target, Marker, replace: true, d =>
            StagedDirectory.Write(Target, Marker, replace: true, inner => WriteResult(inner, "second"))));
        Assert.Contains("another command is writing it", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.GetFileSystemEntries(_root), e => e != Target);
    }

    [Fact]
    public void AForeignNonEmptyDirectoryIsNeverReplaced()
    {
        Directory.CreateDirectory(Target);
        File.WriteAllText(Path.Combine(Target, "notes.txt"), "mine");
        var error = Assert.Throws<IOException>(() => StagedDirectory.Write(Target, Marker, replace: true, d => WriteResult(d, "x")));
        Assert.Contains($"holds no {Marker}", error.Message, StringComparison.Ordinal);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(Target, "notes.txt")));
        Directory.Delete(Target, recursive: true);
        Directory.CreateDirectory(Target);
        StagedDirectory.Write(Target, Marker, replace: true, d => WriteResult(d, "into an empty one"));
        Assert.Equal("into an empty one", File.ReadAllText(Path.Combine(Target, "data.jsonl")));
    }

    [Fact]
    public void ACompleteResultIsReplacedOnlyWhenTheCallerSaysSo()
    {
        StagedDirectory.Write(Target, Marker, replace: false, d => WriteResult(d, "first"));
        var error = Assert.Throws<IOException>(() => StagedDirectory.Write(Target, Marker, replace: false, d => WriteResult(d, "second")));
        Assert.Contains("--force", error.Message, StringComparison.Ordinal);
        Assert.Equal("first", File.ReadAllText(Path.Combine(Target, "data.jsonl")));
        Assert.Equal([Target], Directory.GetFileSystemEntries(_root));
        StagedDirectory.Write(Target, Marker, replace: true, d => WriteResult(d, "second"));
        Assert.Equal("second", File.ReadAllText(Path.Combine(Target, "data.jsonl")));
    }

    [Fact]
    public void AResultMovedAsideByARunKilledMidSwapIsRestoredAndStaleStagingCleared()
    {
        var replaced = Directory.CreateDirectory(Target + ".replaced").FullName;
        WriteResult(replaced, "complete");
        var staging = Directory.CreateDirectory(Target + ".partial").FullName;
        File.WriteAllText(Path.Combine(staging, "data.jsonl"), "half");
        Assert.Throws<FormatException>(() => StagedDirectory.Write<int>(Target, Marker, replace: true, _ => throw new FormatException("bad")));
        Assert.Equal("complete", File.ReadAllText(Path.Combine(Target, "data.jsonl")));
        Assert.Equal([Target], Directory.GetFileSystemEntries(_root));
    }
}
