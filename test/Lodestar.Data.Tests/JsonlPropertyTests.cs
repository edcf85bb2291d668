// Properties of the JSONL readers over generated inputs (CsCheck): any records written are read back equal (any text,
// any finite number, ids across the whole long range), and any bytes at all are records or a DataFormatException
// naming the file and line, never another exception.
using System.Text.Json;
using CsCheck;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.TestSupport;

namespace Lodestar.Data.Tests;

public sealed class JsonlPropertyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lodestar-jsonl-props-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void PostsWrittenAreReadBackEqual() => RecordGens.Posts.Array[0, 8].Sample(posts =>
        Assert.Equal(Json(posts, DataJson.Compact.Post), Json(RoundTrip(posts, DataJson.Compact.Post), DataJson.Compact.Post)), seed: RecordGens.Seed, iter: 300, threads: 1);

    [Fact]
    public void ImpressionsWrittenAreReadBackEqual() => RecordGens.Impressions.Array[0, 8].Sample(impressions =>
        Assert.Equal(Json(impressions, DataJson.Compact.FeedImpression), Json(RoundTrip(impressions, DataJson.Compact.FeedImpression), DataJson.Compact.FeedImpression)),
        seed: RecordGens.Seed, iter: 300, threads: 1);

    [Fact]
    public void AnyBytesAreRecordsOrADataFormatExceptionNamingFileAndLine()
    {
        // Lines of a valid post with bytes changed, and bytes from nowhere.
        var valid = JsonSerializer.SerializeToUtf8Bytes(new Post(7, 3, null, [new TopicWeight("careers", 0.5f)], PostFormat.Text, "Hiring!", 1767571200, 0), DataJson.Compact.Post);
        var mutated = Gen.Select(Gen.Int[0, valid.Length - 1].Array[1, 4], Gen.Byte.Array[4], (at, values) =>
        {
            var copy = valid.ToArray();
            for (var i = 0; i < at.Length; i++)
            {
                copy[at[i]] = values[i];
            }
            return copy;
        });
        Gen.OneOf(mutated, Gen.Byte.Array[0, 120]).Sample(bytes =>
        {
            var path = Path.Combine(_dir, "any.jsonl");
            File.WriteAllBytes(path, bytes);
            try
            {
                foreach (var post in JsonlReader.Read(path, DataJson.Compact.Post))
                {
                    _ = post.Text.Length + post.Topics.Sum(t => t.Topic.Length);
                }
            }
            catch (DataFormatException e)
            {
                Assert.Contains(path, e.Message);
                Assert.True(e.Line >= 1, $"line {e.Line}");
            }
        }, seed: RecordGens.Seed, iter: 3000, threads: 1);
    }

    private T[] RoundTrip<T>(T[] records, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var path = Path.Combine(_dir, $"{typeof(T).Name}.jsonl");
        JsonlReader.WriteAll(path, type, records);
        return [.. JsonlReader.Read(path, type)];
    }

    private static string[] Json<T>(T[] records, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        [.. records.Select(r => JsonSerializer.Serialize(r, type))];
}
