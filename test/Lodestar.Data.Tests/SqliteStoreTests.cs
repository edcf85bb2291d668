// The same world in SQLite: row counts match the JSONL files, a member's history and a day's impressions
// come back identical to the JSONL records and in order, through the named indexes.
using Lodestar.Data.Schema;
using Lodestar.Data.Sqlite;
using Lodestar.Data.Stats;
using Lodestar.Data.Storage;

namespace Lodestar.Data.Tests;

public sealed class SqliteStoreTests(GeneratedWorldFixture world) : IClassFixture<GeneratedWorldFixture>
{
    private static readonly Lock BuildLock = new();

    private string Database()
    {
        var path = Path.Combine(world.Directory, DataFiles.Sqlite);
        lock (BuildLock)
        {
            if (!File.Exists(path))
            {
                SqliteWorldStore.Build(world.Directory);
            }
        }
        return path;
    }

    [Fact]
    public void SqliteHoldsTheSameRecordsAsJsonl()
    {
        using var store = SqliteWorldStore.Open(Database());
        Assert.Equal(world.Members.Count, store.Count("members"));
        Assert.Equal(world.Impressions.Count, store.Count("feed_impressions"));
        Assert.Equal(world.JobEvents.Count, store.Count("job_events"));
        Assert.Equal(world.Report.Counts[DataFiles.RecruiterSearches], store.Count("recruiter_searches"));

        var busiest = world.Impressions.GroupBy(i => i.MemberId).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First();
        var expected = busiest.OrderBy(i => i.Time).ThenBy(i => i.Id).ToList();
        Assert.Equal(expected, store.MemberFeedHistory(busiest.Key));
        Assert.Equal(world.Impressions.Where(i => i.Day == 3).ToList(), store.ImpressionsOfDay(3));
        var seeker = world.JobEvents[0].MemberId;
        Assert.Equal(world.JobEvents.Where(e => e.MemberId == seeker).OrderBy(e => e.Time).ThenBy(e => e.Id).ToList(), store.MemberJobHistory(seeker));
        Assert.Contains("feed_impressions_member_time", store.ExplainMemberFeedHistory());
    }

    [Fact]
    public void StatsDescribeTheWorld()
    {
        var stats = WorldStats.Compute(world.Directory);
        Assert.Equal("generated", stats.Source);
        Assert.Equal(world.Impressions.Count, stats.PostPopularity!.Mean * stats.PostPopularity.Entities, 3);
        Assert.True(stats.FeedActionRates!["click"] > stats.FeedActionRates["long_dwell"]);
        Assert.True(stats.PostPopularity.Gini > 0.5);
        Assert.True(stats.FeedHistoryLength!.P99 > 5 * stats.FeedHistoryLength.P50);
        Assert.True(stats.MembersWithoutEvents > world.Members.Count(m => m.ActivityLevel == ActivityLevel.New) - 1);
        Assert.InRange(stats.JobActionRates!["apply_per_view"], 0.001, 0.5);
    }

    [Fact]
    public void CorruptedManifestIsAClearError()
    {
        var directory = Directory.CreateTempSubdirectory("lodestar-manifest-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, WorldManifest.FileName), "{\"schema_version\": 99, \"source\": \"x\", \"seed\": 0, \"start_date\": \"2020-01-01\", \"parameters\": {}, \"counts\": {}, \"skipped_bad_lines\": 0}");
            var error = Assert.Throws<DataFormatException>(() => WorldStats.Compute(directory));
            Assert.Equal("schema_version", error.Field);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
