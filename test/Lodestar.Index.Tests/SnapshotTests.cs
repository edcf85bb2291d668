// Snapshots: a saved index loads with the same answers; a truncated, extended, corrupted or foreign file, or
// one whose vectors break the index's rules, is refused with a message naming the file and the fault.
using System.Buffers.Binary;
using System.IO.Hashing;
using Lodestar.Core;

namespace Lodestar.Index.Tests;

public sealed class SnapshotTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-index-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static FlatIndex Sample(int count = 500, int dimension = 12)
    {
        var index = new FlatIndex(dimension);
        var vectors = new float[count * dimension];
        new SeededRandom(4).FillNormal(vectors, 1f);
        index.UpsertBatch(Enumerable.Range(0, count).Select(i => 10L * i).ToArray(), vectors, Enumerable.Range(0, count).Select(i => (long)i).ToArray());
        return index;
    }

    [Fact]
    public void ALoadedSnapshotAnswersAsTheSavedIndexAndKeepsOnlyLiveItems()
    {
        var index = Sample();
        index.Delete(30);
        index.Delete(4990);
        var path = Path.Combine(_directory, "posts.lsix");
        index.Save(path);
        var loaded = FlatIndex.Load(path);
        Assert.Equal((index.Count, index.Dimension), (loaded.Count, loaded.Dimension));
        Assert.Equal(loaded.Count, loaded.Rows);
        var query = new float[12];
        new SeededRandom(5).FillNormal(query, 1f);
        var expected = new SearchHit[20];
        var actual = new SearchHit[20];
        var filter = new SearchFilter { MinCreatedAt = 100 };
        Assert.Equal(index.Search(query, 20, expected, filter), loaded.Search(query, 20, actual, filter));
        Assert.Equal(expected, actual);
        Assert.False(loaded.TryGetVector(30, new float[12]));
        Assert.Empty(Directory.GetFiles(_directory, "*" + AtomicFile.TempSuffix));
    }

    [Fact]
    public void ALoadedIndexMapsItsFileAndNeverWritesToIt()
    {
        var path = Path.Combine(_directory, "posts.lsix");
        Sample(count: 64).Save(path);
        var saved = File.ReadAllBytes(path);
        using var loaded = FlatIndex.Load(path);
        Assert.True(loaded.IsMapped);
        var unit = new float[12];
        unit[3] = 1;
        // Written in place (a private copy of the page), then in the native block rows move to when they outgrow the file.
        loaded.Upsert(10, unit);
        Assert.True(loaded.IsMapped);
        loaded.Delete(20);
        loaded.Compact();
        var hits = new SearchHit[1];
        Assert.Equal(1, loaded.Search(unit, 1, hits));
        Assert.Equal((10L, 1f), (hits[0].Id, hits[0].Score));
        for (var i = 0; i < 100; i++)
        {
            loaded.Upsert(100_000 + i, unit, createdAt: i);
        }
        Assert.False(loaded.IsMapped);
        Assert.Equal(saved, File.ReadAllBytes(path));
        var vector = new float[12];
        Assert.True(loaded.TryGetVector(10, vector));
        Assert.Equal(unit, vector);
        Assert.False(loaded.Contains(20));
    }

    [Fact]
    public void ASnapshotReplacedWhileMappedLeavesTheLoadedIndexWhole()
    {
        var path = Path.Combine(_directory, "posts.lsix");
        var original = Sample(count: 300);
        original.Save(path);
        using var loaded = FlatIndex.Load(path);
        new FlatIndex(12).Save(path);
        var query = new float[12];
        new SeededRandom(8).FillNormal(query, 1f);
        var expected = new SearchHit[10];
        var actual = new SearchHit[10];
        Assert.Equal(original.Search(query, 10, expected), loaded.Search(query, 10, actual));
        Assert.Equal(expected, actual);
        Assert.Equal(0, FlatIndex.Load(path).Count);
    }

    [Fact]
    public void ADisposedIndexRefusesSearches()
    {
        var path = Path.Combine(_directory, "posts.lsix");
        Sample(count: 50).Save(path);
        var loaded = FlatIndex.Load(path);
        loaded.Dispose();
        loaded.Dispose();
        Assert.Throws<ObjectDisposedException>(() => loaded.Search(new float[12] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 3, new SearchHit[3]));
    }

    [Fact]
    public void AnEmptyIndexRoundTrips()
    {
        var path = Path.Combine(_directory, "empty.lsix");
        new FlatIndex(7).Save(path);
        var loaded = FlatIndex.Load(path);
        Assert.Equal((0, 7), (loaded.Count, loaded.Dimension));
        loaded.Upsert(1, [1, 0, 0, 0, 0, 0, 0]);
        Assert.Equal(1, loaded.Count);
    }

    [Fact]
    public void DamagedFilesAreRefusedWithTheFault()
    {
        var path = Path.Combine(_directory, "posts.lsix");
        Sample().Save(path);
        var good = File.ReadAllBytes(path);

        string Fault(byte[] bytes)
        {
            var damaged = Path.Combine(_directory, "damaged.lsix");
            File.WriteAllBytes(damaged, bytes);
            var error = Assert.Throws<InvalidDataException>(() => FlatIndex.Load(damaged));
            Assert.StartsWith(damaged + ": ", error.Message, StringComparison.Ordinal);
            return error.Message;
        }

        Assert.Contains("shorter than the 64-byte header", Fault(good[..40]), StringComparison.Ordinal);
        Assert.Contains("truncated or extended", Fault(good[..^3]), StringComparison.Ordinal);
        Assert.Contains("truncated or extended", Fault([.. good, 0]), StringComparison.Ordinal);
        Assert.Contains("does not start with LSIX", Fault([.. "PK\u0003\u0004"u8, .. good[4..]]), StringComparison.Ordinal);
        var flipped = (byte[])good.Clone();
        flipped[^5] ^= 0x10;
        Assert.Contains("body checksum", Fault(flipped), StringComparison.Ordinal);
        var header = (byte[])good.Clone();
        header[17] ^= 0x01;
        Assert.Contains("header checksum", Fault(header), StringComparison.Ordinal);
        // A hostile header with a valid checksum cannot make the reader allocate or read past the file.
        var hostile = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(hostile.AsSpan(16), ulong.MaxValue / 2);
        BinaryPrimitives.WriteUInt64LittleEndian(hostile.AsSpan(32), XxHash3.HashToUInt64(hostile.AsSpan(0, 32)));
        Assert.Contains("the header promises", Fault(hostile), StringComparison.Ordinal);
        Assert.IsType<FileNotFoundException>(Assert.ThrowsAny<IOException>(() => FlatIndex.Load(Path.Combine(_directory, "missing.lsix"))));
    }

    [Fact]
    public void ASnapshotBreakingTheIndexRulesIsRefused()
    {
        var path = Path.Combine(_directory, "rules.lsix");
        IndexSnapshot.Write(path, 2, [5, 5], [0, 0], [1, 0, 0, 1]);
        Assert.Contains("id 5 is stored twice", Assert.Throws<InvalidDataException>(() => FlatIndex.Load(path)).Message, StringComparison.Ordinal);
        IndexSnapshot.Write(path, 2, [5, 6], [0, 0], [1, 0, 3, 4]);
        Assert.Contains("id 6 (row 1) has squared length 25", Assert.Throws<InvalidDataException>(() => FlatIndex.Load(path)).Message, StringComparison.Ordinal);
    }
}
