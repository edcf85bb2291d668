// Imports real data sets into a Lodestar data directory (the same JSONL schema and manifest as generated
// worlds): MIND impressions and histories, `uid item...` sequences, MovieLens ratings. Bad lines stop the
// import with file and line, or under --skip-bad are counted in the report and the manifest.
using System.Text.Json;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;

namespace Lodestar.Data.Readers;

/// <summary>What an import wrote: records per file, bad lines skipped and the first few messages about them.</summary>
public sealed record ImportReport(string Source, string Directory, IReadOnlyDictionary<string, long> Counts, long SkippedBadLines, IReadOnlyList<string> BadLineExamples);

public static class DataImporter
{
    /// <summary>MIND: <paramref name="mindDirectory"/> holds behaviors.tsv and (optionally) news.tsv.</summary>
    public static ImportReport ImportMind(string mindDirectory, string output, BadLineLog badLines)
    {
        var behaviors = Path.Combine(mindDirectory, "behaviors.tsv");
        var news = Path.Combine(mindDirectory, "news.tsv");
        Directory.CreateDirectory(output);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        if (File.Exists(news))
        {
            counts[DataFiles.Posts] = JsonlReader.WriteAll(Path.Combine(output, DataFiles.Posts), DataJson.Compact.Post, MindReader.ReadNews(news, badLines));
        }
        // Day 0 is the date of the earliest impression: one cheap pass over the time column.
        var firstTime = long.MaxValue;
        foreach (var log in MindReader.ReadBehaviors(behaviors, new BadLineLog(skipBad: true, maxExamples: 0)))
        {
            firstTime = Math.Min(firstTime, log.Time);
        }
        var start = firstTime == long.MaxValue ? 0 : firstTime / 86400 * 86400;
        using var impressions = new JsonlWriter<FeedImpression>(Path.Combine(output, DataFiles.FeedImpressions), DataJson.Compact.FeedImpression);
        using var interactions = new JsonlWriter<ItemInteraction>(Path.Combine(output, DataFiles.ItemInteractions), DataJson.Compact.ItemInteraction);
        var usersWithHistory = new HashSet<long>();
        var users = new HashSet<long>();
        long impressionId = 0;
        foreach (var log in MindReader.ReadBehaviors(behaviors, badLines))
        {
            users.Add(log.UserId);
            var day = (int)((log.Time - start) / 86400);
            for (var position = 0; position < log.Items.Count; position++)
            {
                var (newsId, clicked) = log.Items[position];
                impressions.Write(new FeedImpression(++impressionId, log.ImpressionId, log.UserId, newsId, position, log.Time, day, clicked, false, false, false, false, false, 0f));
            }
            // MIND repeats a user's click history (clicks before the logged period) on each of their rows: keep it once.
            if (usersWithHistory.Add(log.UserId))
            {
                for (var i = 0; i < log.History.Count; i++)
                {
                    interactions.Write(new ItemInteraction(log.UserId, log.History[i], i, i, null));
                }
            }
        }
        impressions.Complete();
        interactions.Complete();
        counts[DataFiles.FeedImpressions] = impressions.Count;
        counts[DataFiles.ItemInteractions] = interactions.Count;
        counts["users"] = users.Count;
        return Finish("mind", mindDirectory, output, DateOf(start), counts, badLines);
    }

    /// <summary>A `uid item1 ... itemN` file: each item becomes an interaction whose time is its position.</summary>
    public static ImportReport ImportSequences(string path, string output, BadLineLog badLines)
    {
        Directory.CreateDirectory(output);
        using var interactions = new JsonlWriter<ItemInteraction>(Path.Combine(output, DataFiles.ItemInteractions), DataJson.Compact.ItemInteraction);
        long users = 0;
        var items = new HashSet<long>();
        foreach (var sequence in SequenceReader.Read(path, badLines))
        {
            users++;
            for (var i = 0; i < sequence.Items.Count; i++)
            {
                items.Add(sequence.Items[i]);
                interactions.Write(new ItemInteraction(sequence.UserId, sequence.Items[i], i, i, null));
            }
        }
        interactions.Complete();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            [DataFiles.ItemInteractions] = interactions.Count,
            ["users"] = users,
            ["items"] = items.Count,
        };
        return Finish("seq", path, output, "1970-01-01", counts, badLines);
    }

    /// <summary>MovieLens: a directory with u.data + u.item (ML-100K) or ratings.dat + movies.dat (ML-1M).
    /// Each user's ratings are ordered by time (then item id) into a sequence.</summary>
    public static ImportReport ImportMovieLens(string directory, string output, BadLineLog badLines)
    {
        var is100K = File.Exists(Path.Combine(directory, "u.data"));
        if (!is100K && !File.Exists(Path.Combine(directory, "ratings.dat")))
        {
            throw new FileNotFoundException($"{directory}: neither u.data (ML-100K) nor ratings.dat (ML-1M) is there");
        }
        Directory.CreateDirectory(output);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var itemsPath = Path.Combine(directory, is100K ? "u.item" : "movies.dat");
        if (File.Exists(itemsPath))
        {
            var movies = is100K ? MovieLensReader.ReadItems100K(itemsPath, badLines) : MovieLensReader.ReadMovies1M(itemsPath, badLines);
            counts[DataFiles.Posts] = JsonlReader.WriteAll(Path.Combine(output, DataFiles.Posts), DataJson.Compact.Post, movies);
        }
        var ratingsPath = Path.Combine(directory, is100K ? "u.data" : "ratings.dat");
        var ratings = (is100K ? MovieLensReader.ReadRatings100K(ratingsPath, badLines) : MovieLensReader.ReadRatings1M(ratingsPath, badLines)).ToList();
        ratings.Sort((a, b) => a.UserId != b.UserId ? a.UserId.CompareTo(b.UserId) : a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.ItemId.CompareTo(b.ItemId));
        using var interactions = new JsonlWriter<ItemInteraction>(Path.Combine(output, DataFiles.ItemInteractions), DataJson.Compact.ItemInteraction);
        var sequence = 0;
        for (var i = 0; i < ratings.Count; i++)
        {
            sequence = i > 0 && ratings[i - 1].UserId == ratings[i].UserId ? sequence + 1 : 0;
            var r = ratings[i];
            interactions.Write(new ItemInteraction(r.UserId, r.ItemId, sequence, r.Time, r.Stars));
        }
        interactions.Complete();
        counts[DataFiles.ItemInteractions] = interactions.Count;
        counts["users"] = ratings.Select(r => r.UserId).Distinct().LongCount();
        counts["items"] = ratings.Select(r => r.ItemId).Distinct().LongCount();
        var first = ratings.Count > 0 ? ratings.Min(r => r.Time) / 86400 * 86400 : 0;
        return Finish("movielens", directory, output, DateOf(first), counts, badLines);
    }

    private static string DateOf(long unixSeconds) => DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static ImportReport Finish(string source, string input, string output, string startDate, Dictionary<string, long> counts, BadLineLog badLines)
    {
        using var parameters = JsonDocument.Parse(JsonSerializer.Serialize(new Dictionary<string, string> { ["input"] = Path.GetFullPath(input), ["skip_bad"] = badLines.SkipBad ? "true" : "false" }, ImportJsonContext.Default.DictionaryStringString));
        ManifestFile.Write(output, new WorldManifest(WorldManifest.CurrentSchemaVersion, source, 0, startDate, parameters.RootElement.Clone(), counts, badLines.Skipped));
        return new ImportReport(source, output, counts, badLines.Skipped, badLines.Examples);
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ImportJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
