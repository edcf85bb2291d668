// The day loop: for each day, shards of members are simulated in parallel against the pools built from
// the previous day's popularity (phase A), ids are assigned by prefix sums over shards (phase B), shards
// are serialised in parallel (phase C), and the day's chunks go through a bounded channel to the single
// writer thread. Popularity feedback is applied between days, so the output is independent of threads.
using System.Threading.Channels;
using Lodestar.Core.Progress;
using Lodestar.Core;
using Lodestar.Data.GroundTruth;
using Lodestar.Data.Schema;

namespace Lodestar.Data.Generation;

public static partial class WorldGenerator
{
    private sealed record ShardOutput(byte[] Impressions, long ImpressionCount, byte[] Probabilities, byte[] JobEvents, long JobEventCount, byte[] Searches, long SearchCount, byte[] Matches, long MatchCount);

    private static Dictionary<string, long> SimulateDays(WorldModel world, string directory, ParallelOptions options, IProgressReporter? progress, CancellationToken cancellation)
    {
        var config = world.Config;
        var truth = Path.Combine(directory, DataFiles.GroundTruthDirectory);
        var paths = (
            Impressions: Path.Combine(directory, DataFiles.FeedImpressions),
            Probabilities: Path.Combine(truth, TruthFiles.ImpressionProbabilities),
            JobEvents: Path.Combine(directory, DataFiles.JobEvents),
            Searches: Path.Combine(directory, DataFiles.RecruiterSearches),
            Matches: Path.Combine(truth, TruthFiles.JobMatches));
        var channel = Channel.CreateBounded<ShardOutput[]>(new BoundedChannelOptions(config.ChannelCapacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        progress?.Start("simulating days", config.Days);
        using var files = new OutputFiles();
        files.Touch(paths.Impressions);
        files.Touch(paths.Probabilities);
        files.Touch(paths.JobEvents);
        files.Touch(paths.Searches);
        files.Touch(paths.Matches);
        var writer = Task.Run(async () =>
        {
            await foreach (var day in channel.Reader.ReadAllAsync(cancellation))
            {
                foreach (var shard in day)
                {
                    files.Append(paths.Impressions, shard.Impressions, shard.ImpressionCount);
                    files.Append(paths.Probabilities, shard.Probabilities, shard.ImpressionCount);
                    files.Append(paths.JobEvents, shard.JobEvents, shard.JobEventCount);
                    files.Append(paths.Searches, shard.Searches, shard.SearchCount);
                    files.Append(paths.Matches, shard.Matches, shard.MatchCount);
                }
            }
        }, cancellation);

        var shards = (world.MemberCount + config.MembersPerShard - 1) / config.MembersPerShard;
        var affinity = new int[world.MemberCount * FeedSimulator.AffinitySlots];
        var engagement = new int[world.PostCount];
        var simulator = new FeedSimulator(world, affinity, engagement);
        long impressionBase = 0, jobEventBase = 0, searchBase = 0;
        var pairsWritten = new HashSet<long>();
        try
        {
            for (var day = 0; day < config.Days; day++)
            {
                var pools = new DayPools(world, day, engagement);
                var results = new ShardDay[shards];
                var currentDay = day;
                Parallel.For(0, shards, options, s => results[s] = simulator.Run(s, currentDay, pools));
                var bases = new (long Impression, long JobEvent, long Search)[shards];
                for (var s = 0; s < shards; s++)
                {
                    bases[s] = (impressionBase, jobEventBase, searchBase);
                    impressionBase += results[s].Impressions.Count;
                    jobEventBase += results[s].JobEvents.Count;
                    searchBase += results[s].Searches.Count;
                    // Each observed member-job pair goes to the match truth once, on its first appearance.
                    results[s].MatchPairs.RemoveAll(pair => !pairsWritten.Add(((long)pair.Member << 32) | (uint)pair.Job));
                    foreach (var row in results[s].Impressions)
                    {
                        engagement[row.Post] += EngagementOf(row.Actions);
                    }
                }
                var outputs = new ShardOutput[shards];
                Parallel.For(0, shards, options, s => outputs[s] = Serialize(world, currentDay, results[s], bases[s]));
                while (!channel.Writer.TryWrite(outputs))
                {
                    if (writer.IsCompleted)
                    {
                        writer.GetAwaiter().GetResult();
                    }
                    channel.Writer.WaitToWriteAsync(cancellation).AsTask().GetAwaiter().GetResult();
                }
                progress?.Report(day + 1);
            }
            channel.Writer.Complete();
            writer.GetAwaiter().GetResult();
        }
        catch
        {
            channel.Writer.TryComplete();
            throw;
        }

        using var sample = new JsonChunk();
        var rng = SeededRandom.For(config.Seed, Streams.MatchSample, 0);
        for (var i = 0; i < config.MatchSamplePairs; i++)
        {
            sample.Add(world.Match(rng.NextInt(world.MemberCount), rng.NextInt(world.JobCount), observed: false), TruthJsonContext.Default.MatchTruth);
        }
        files.Append(paths.Matches, sample.ToArray(), sample.Count);
        files.CommitAll();
        return new Dictionary<string, long>(StringComparer.Ordinal)
        {
            [DataFiles.FeedImpressions] = files.CountOf(paths.Impressions),
            [DataFiles.JobEvents] = files.CountOf(paths.JobEvents),
            [DataFiles.RecruiterSearches] = files.CountOf(paths.Searches),
            [$"{DataFiles.GroundTruthDirectory}/{TruthFiles.JobMatches}"] = files.CountOf(paths.Matches),
        };
    }

    /// <summary>Engagement that feeds popularity: clicks and likes count 1, comments 2, shares 3.</summary>
    private static int EngagementOf(Actions actions) =>
        ((actions & Actions.Click) != 0 ? 1 : 0) + ((actions & Actions.Like) != 0 ? 1 : 0)
        + ((actions & Actions.Comment) != 0 ? 2 : 0) + ((actions & Actions.Share) != 0 ? 3 : 0);

    private static ShardOutput Serialize(WorldModel world, int day, ShardDay shard, (long Impression, long JobEvent, long Search) bases)
    {
        using var impressions = new JsonChunk(1 << 16);
        var probabilities = new byte[shard.Impressions.Count * ImpressionProbabilities.RowBytes];
        for (var i = 0; i < shard.Impressions.Count; i++)
        {
            var row = shard.Impressions[i];
            var id = bases.Impression + i + 1;
            var a = row.Actions;
            impressions.Add(new FeedImpression(
                id, bases.Impression + row.SessionFirst + 1, row.Member + 1, row.Post + 1, row.Position, row.Time, day,
                (a & Actions.Click) != 0, (a & Actions.Skip) != 0, (a & Actions.LongDwell) != 0, (a & Actions.Like) != 0,
                (a & Actions.Comment) != 0, (a & Actions.Share) != 0, row.Dwell), DataJson.Compact.FeedImpression);
            new ImpressionProbabilities(id, row.PClick, row.PSkip, row.PLongDwell, row.PLike, row.PComment, row.PShare)
                .WriteTo(probabilities.AsSpan(i * ImpressionProbabilities.RowBytes, ImpressionProbabilities.RowBytes));
        }
        using var jobEvents = new JsonChunk();
        for (var i = 0; i < shard.JobEvents.Count; i++)
        {
            var e = shard.JobEvents[i];
            jobEvents.Add(new JobEvent(bases.JobEvent + i + 1, e.Member + 1, e.Job + 1, e.Action, e.Time, day), DataJson.Compact.JobEvent);
        }
        using var searches = new JsonChunk();
        for (var i = 0; i < shard.Searches.Count; i++)
        {
            var s = shard.Searches[i];
            var job = world.Vocabulary.Occupations[world.JobOccupation[s.Job]];
            var skills = world.JobRequired[s.Job].Select(k => world.Vocabulary.Skills[k]).ToArray();
            searches.Add(new RecruiterSearch(bases.Search + i + 1, s.Recruiter + 1, s.Company + 1, job.Label, skills, world.CountryOfCity(world.JobCity[s.Job]),
                [.. s.Results.Select(m => (long)m + 1)], [.. s.Contacted.Select(m => (long)m + 1)], s.Time, day), DataJson.Compact.RecruiterSearch);
        }
        using var matches = new JsonChunk();
        foreach (var (member, job) in shard.MatchPairs)
        {
            matches.Add(world.Match(member, job, observed: true), TruthJsonContext.Default.MatchTruth);
        }
        return new ShardOutput(impressions.ToArray(), impressions.Count, probabilities, jobEvents.ToArray(), jobEvents.Count, searches.ToArray(), searches.Count, matches.ToArray(), matches.Count);
    }
}
