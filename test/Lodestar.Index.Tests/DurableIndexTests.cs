// A durable index reopens with every acknowledged change: replayed from its log, from a checkpoint, and after
// the log was cut at any byte (a write the process died inside); damage elsewhere and a second writer are
// refused with the reason.
using Lodestar.Core;

namespace Lodestar.Index.Tests;

public sealed class DurableIndexTests : IDisposable
{
    private const int Dimension = 6;
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-durable-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static float[] Vectors(int count, ulong seed)
    {
        var vectors = new float[count * Dimension];
        new SeededRandom(seed).FillNormal(vectors, 1f);
        return vectors;
    }

    /// <summary>Each item as (id, stored vector, creation time), in id order.</summary>
    private static List<(long Id, float[] Vector)> Contents(FlatIndex index, IEnumerable<long> candidates) =>
        [.. candidates.Order().Where(index.Contains).Select(id =>
        {
            var vector = new float[Dimension];
            index.TryGetVector(id, vector);
            return (id, vector);
        })];

    private static void AssertSameContents(FlatIndex expected, FlatIndex actual, IEnumerable<long> candidates)
    {
        var a = Contents(expected, candidates);
        var b = Contents(actual, candidates);
        Assert.Equal(a.Select(x => x.Id), b.Select(x => x.Id));
        Assert.All(a.Zip(b), pair => Assert.Equal(pair.First.Vector, pair.Second.Vector));
    }

    [Fact]
    public void ReopeningReplaysTheLogAndACheckpointEmptiesIt()
    {
        var reference = new FlatIndex(Dimension);
        using (var index = DurableIndex.Open(_directory, Dimension))
        {
            var vectors = Vectors(100, 1);
            var ids = Enumerable.Range(0, 100).Select(i => (long)i).ToArray();
            var times = ids.Select(i => i * 10).ToArray();
            index.UpsertBatch(ids, vectors, times);
            reference.UpsertBatch(ids, vectors, times);
            Assert.True(index.Delete(17));
            reference.Delete(17);
            Assert.False(index.Delete(1_000));
            index.Upsert(5, Vectors(1, 2), 3);
            reference.Upsert(5, Vectors(1, 2), 3);
        }
        using (var reopened = DurableIndex.Open(_directory, Dimension))
        {
            AssertSameContents(reference, reopened.Index, Enumerable.Range(0, 120).Select(i => (long)i));
            Assert.True(reopened.LogBytes > 0);
            reopened.Checkpoint();
            Assert.Equal(0, reopened.LogBytes);
            reopened.Upsert(200, Vectors(1, 3));
            reference.Upsert(200, Vectors(1, 3));
        }
        using var again = DurableIndex.Open(_directory, Dimension);
        AssertSameContents(reference, again.Index, Enumerable.Range(0, 300).Select(i => (long)i));
        Assert.Equal(reference.Count, again.Index.Count);
    }

    [Fact]
    public void ALogCutAtAnyByteKeepsExactlyTheWholeRecordsBeforeTheCut()
    {
        var batches = new List<(long[] Ids, float[] Vectors)>();
        var ends = new List<long>();
        using (var index = DurableIndex.Open(_directory, Dimension))
        {
            for (var b = 0; b < 6; b++)
            {
                var ids = new long[] { b * 10, b * 10 + 1 };
                var vectors = Vectors(2, (ulong)b + 10);
                index.UpsertBatch(ids, vectors, [0, 0]);
                batches.Add((ids, vectors));
                ends.Add(index.LogBytes);
            }
        }
        var log = File.ReadAllBytes(Path.Combine(_directory, DurableIndex.LogFile));
        var recordBytes = ends[0] / 2;
        for (var cut = 0; cut <= log.Length; cut += 7)
        {
            var folder = Path.Combine(_directory, $"cut-{cut}");
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, DurableIndex.LogFile), log[..cut]);
            using var reopened = DurableIndex.Open(folder, Dimension);
            var wholeRecords = cut / recordBytes;
            Assert.Equal(wholeRecords, reopened.Index.Count);
            Assert.Equal(wholeRecords * recordBytes, new FileInfo(Path.Combine(folder, DurableIndex.LogFile)).Length);
        }
    }

    [Fact]
    public void DeletingAQuarterOfTheRowsCompactsInTheBackground()
    {
        using var index = DurableIndex.Open(_directory, Dimension);
        index.UpsertBatch(Enumerable.Range(0, 400).Select(i => (long)i).ToArray(), Vectors(400, 7), new long[400]);
        for (var id = 0; id < 99; id++)
        {
            Assert.True(index.Delete(id));
        }
        index.WaitForCompaction();
        Assert.Equal(400, index.Index.Rows);
        Assert.True(index.Delete(99));
        index.WaitForCompaction();
        Assert.Equal(300, index.Index.Rows);
        Assert.Equal(300, index.Index.Count);
        var hits = new SearchHit[3];
        Assert.Equal(3, index.Index.Search(Vectors(1, 8), 3, hits));
        Assert.All(hits, hit => Assert.InRange(hit.Id, 100, 399));
    }

    [Fact]
    public void DamageInsideTheLogIsAnErrorNotASilentLoss()
    {
        using (var index = DurableIndex.Open(_directory, Dimension))
        {
            index.UpsertBatch([1, 2, 3], Vectors(3, 4), [0, 0, 0]);
        }
        var path = Path.Combine(_directory, DurableIndex.LogFile);
        var log = File.ReadAllBytes(path);
        log[20] ^= 0x40;
        File.WriteAllBytes(path, log);
        var error = Assert.Throws<InvalidDataException>(() => DurableIndex.Open(_directory, Dimension));
        Assert.Contains($"{path}: the record at byte 0 fails its checksum and records follow it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OneWriterAtATimeAndOneDimension()
    {
        using (var first = DurableIndex.Open(_directory, Dimension))
        {
            var error = Assert.Throws<IOException>(() => DurableIndex.Open(_directory, Dimension));
            Assert.Contains("another writer has this index open", error.Message, StringComparison.Ordinal);
            first.Upsert(1, Vectors(1, 5));
            first.Checkpoint();
        }
        Assert.Contains("the index has D = 6, opened for D = 8", Assert.Throws<InvalidDataException>(() => DurableIndex.Open(_directory, 8)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AReaderBesideTheWriterSeesEveryAcknowledgedChangeAndNoTornRecord()
    {
        Assert.Throws<FileNotFoundException>(() => DurableIndex.OpenReadOnly(_directory));
        using var writer = DurableIndex.Open(_directory, Dimension);
        var vectors = Vectors(4, 11);
        writer.UpsertBatch([1, 2, 3], vectors.AsSpan(0, 3 * Dimension), [0, 0, 0]);
        writer.Checkpoint();
        writer.Upsert(4, vectors.AsSpan(3 * Dimension, Dimension), createdAt: 9);
        writer.Delete(2);

        var reader = DurableIndex.OpenReadOnly(_directory);
        Assert.True(reader.Contains(1) && reader.Contains(3) && reader.Contains(4));
        Assert.False(reader.Contains(2));
        var stored = new float[Dimension];
        var expected = new float[Dimension];
        Assert.True(reader.TryGetVector(4, stored));
        writer.Index.TryGetVector(4, expected);
        Assert.Equal(expected, stored);

        // Half a record at the end of the log, as a reader sees one the writer is still writing: left out.
        using (var log = new FileStream(Path.Combine(_directory, DurableIndex.LogFile), FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
            log.Write([41, 0, 0, 0, 1, 5, 0, 0]);
        }
        var again = DurableIndex.OpenReadOnly(_directory);
        Assert.Equal(3, again.Count);
        Assert.False(again.Contains(5));
    }
}
