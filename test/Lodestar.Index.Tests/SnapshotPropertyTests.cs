// Properties of index snapshots over generated inputs (CsCheck): any set of unit vectors saved and loaded holds the same
// ids and vectors and answers every query as before, deletions included; any bytes at all load as an index or fail
// with an InvalidDataException, never another exception.
using CsCheck;
using Lodestar.TestSupport;
using Lodestar.Index;

namespace Lodestar.Index.Tests;

public sealed class SnapshotPropertyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lodestar-snapshot-props-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static float[] Unit(float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return norm < 1e-3f ? [1f, .. new float[v.Length - 1]] : [.. v.Select(x => x / norm)];
    }

    [Fact]
    public void AnIndexSavedAndLoadedHoldsTheSameVectorsAndAnswersAsBefore()
    {
        var gen =
            from dimension in Gen.Int[1, 19]
            from rows in Gen.Select(Gen.Long[1, long.MaxValue], Gen.Float[-1f, 1f].Array[dimension], Gen.Long[0, 1L << 40]).Array[0, 40]
            from deleted in Gen.Int[0, 40].Array[0, 5]
            from query in Gen.Float[-1f, 1f].Array[dimension]
            select (dimension, rows, deleted, query);
        gen.Sample(sample =>
        {
            var (dimension, rows, deleted, query) = sample;
            var path = Path.Combine(_dir, "index.lsix");
            using (var index = new FlatIndex(dimension))
            {
                foreach (var (id, vector, created) in rows)
                {
                    index.Upsert(id, Unit(vector), created);
                }
                foreach (var at in deleted.Where(at => at < rows.Length))
                {
                    index.Delete(rows[at].Item1);
                }
                index.Save(path);
                var expected = Answer(index, Unit(query));
                using var loaded = FlatIndex.Load(path);
                Assert.Equal(index.Count, loaded.Count);
                Assert.Equal(expected, Answer(loaded, Unit(query)));
                var (before, after) = (new float[dimension], new float[dimension]);
                foreach (var (id, _, _) in rows)
                {
                    Assert.Equal(index.TryGetVector(id, before), loaded.TryGetVector(id, after));
                    Assert.Equal(before, after);
                }
            }
        }, seed: RecordGens.Seed, iter: 300, threads: 1);
    }

    private static SearchHit[] Answer(FlatIndex index, float[] query)
    {
        var hits = new SearchHit[10];
        return hits[..index.Search(query, 10, hits)];
    }

    [Fact]
    public void AnyBytesLoadAsAnIndexOrFailWithAnInvalidDataException()
    {
        var path = Path.Combine(_dir, "valid.lsix");
        using (var index = new FlatIndex(4))
        {
            index.Upsert(1, [1, 0, 0, 0]);
            index.Upsert(2, [0, 0.6f, 0.8f, 0]);
            index.Save(path);
        }
        var valid = File.ReadAllBytes(path);
        var mutated = Gen.Select(Gen.Int[0, valid.Length - 1].Array[1, 4], Gen.Byte.Array[4], Gen.Int[0, valid.Length], (at, values, length) =>
        {
            var copy = valid[..length];
            for (var i = 0; i < at.Length; i++)
            {
                if (at[i] < copy.Length)
                {
                    copy[at[i]] = values[i];
                }
            }
            return copy;
        });
        var input = Path.Combine(_dir, "any.lsix");
        Gen.OneOf(mutated, Gen.Byte.Array[0, 200]).Sample(bytes =>
        {
            File.WriteAllBytes(input, bytes);
            try
            {
                using var index = FlatIndex.Load(input);
                _ = Answer(index, [.. Enumerable.Repeat(0.5f, index.Dimension)]);
            }
            catch (InvalidDataException)
            {
            }
        }, seed: RecordGens.Seed, iter: 3000, threads: 1);
    }
}
