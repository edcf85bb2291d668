// Generators of the data schema's records for property tests (CsCheck): any id across the whole long range, any text,
// any finite weight and dwell time, every format and action combination.
using CsCheck;
using Lodestar.Data.Schema;

namespace Lodestar.TestSupport;

public static class RecordGens
{
    /// <summary>The one seed property tests start from, so a run is repeatable (CsCheck prints the seed of a failure to rerun it).</summary>
    public const string Seed = "0N0XIzNsQ0O2";

    public static readonly Gen<Post> Posts =
        from id in Gen.Long[1, long.MaxValue]
        from byMember in Gen.Bool
        from author in Gen.Long[1, long.MaxValue]
        from topics in Gen.Select(Gen.String, Gen.Float[0f, 1f], (topic, weight) => new TopicWeight(topic, weight)).Array[0, 4]
        from format in Gen.Enum<PostFormat>()
        from text in Gen.String
        from time in Gen.Long[0, 4_102_444_800]
        from day in Gen.Int[-10_000, 10_000]
        select new Post(id, byMember ? author : null, byMember ? null : author, topics, format, text, time, day);

    public static readonly Gen<FeedImpression> Impressions =
        from ids in Gen.Long[1, long.MaxValue].Array[4]
        from position in Gen.Int[0, 1000]
        from time in Gen.Long[0, 4_102_444_800]
        from day in Gen.Int[-10_000, 10_000]
        from actions in Gen.Bool.Array[6]
        from dwell in Gen.Float[0f, 3600f]
        select new FeedImpression(ids[0], ids[1], ids[2], ids[3], position, time, day, actions[0], actions[1], actions[2], actions[3], actions[4], actions[5], dwell);
}
