// Reads the Microsoft News Dataset (MIND, Wu et al., ACL 2020; msnews.github.io): news.tsv articles become
// posts (topics = category and subcategory), behaviors.tsv impression logs become feed impressions
// (clicked "-1" / shown-but-not-clicked "-0") and each user's chronological click history becomes item
// interactions. Ids keep their numbers: news "N123" is post 123, user "U45" is member 45.
using System.Globalization;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;

namespace Lodestar.Data.Readers;

/// <summary>One row of behaviors.tsv.</summary>
public sealed record MindImpressionLog(long ImpressionId, long UserId, long Time, IReadOnlyList<long> History, IReadOnlyList<(long NewsId, bool Clicked)> Items);

public static class MindReader
{
    public const string TimeFormat = "M/d/yyyy h:mm:ss tt";

    /// <summary>news.tsv: NewsID, Category, SubCategory, Title, Abstract, URL, TitleEntities, AbstractEntities.</summary>
    public static IEnumerable<Post> ReadNews(string path, BadLineLog? badLines = null)
    {
        badLines ??= BadLineLog.Strict;
        foreach (var (line, text) in DelimitedLines.Read(path))
        {
            Post post;
            try
            {
                var f = DelimitedLines.Split(text, "\t", 8, path, line);
                var id = DelimitedLines.ParsePrefixedId(f[0], 'N', path, line, "news_id");
                if (f[1].Length == 0)
                {
                    throw new DataFormatException(path, line, "category", "empty");
                }
                var topics = f[2].Length > 0 ? new[] { new TopicWeight(f[1], 0.7f), new TopicWeight(f[2], 0.3f) } : [new TopicWeight(f[1], 1f)];
                var body = f[4].Length > 0 ? $"{f[3]}\n\n{f[4]}" : f[3];
                post = new Post(id, null, null, topics, PostFormat.Article, body, 0, 0);
            }
            catch (DataFormatException error)
            {
                badLines.Report(error);
                continue;
            }
            yield return post;
        }
    }

    /// <summary>behaviors.tsv: ImpressionID, UserID, Time (M/d/yyyy h:mm:ss AM/PM, taken as UTC), History, Impressions.</summary>
    public static IEnumerable<MindImpressionLog> ReadBehaviors(string path, BadLineLog? badLines = null)
    {
        badLines ??= BadLineLog.Strict;
        foreach (var (line, text) in DelimitedLines.Read(path))
        {
            MindImpressionLog log;
            try
            {
                log = ParseBehavior(text, path, line);
            }
            catch (DataFormatException error)
            {
                badLines.Report(error);
                continue;
            }
            yield return log;
        }
    }

    private static MindImpressionLog ParseBehavior(string text, string path, long line)
    {
        var f = DelimitedLines.Split(text, "\t", 5, path, line);
        var impressionId = DelimitedLines.ParseLong(f[0], path, line, "impression_id");
        var userId = DelimitedLines.ParsePrefixedId(f[1], 'U', path, line, "user_id");
        if (!DateTime.TryParseExact(f[2], TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            throw new DataFormatException(path, line, "time", $"'{f[2]}' is not a time of the form {TimeFormat}");
        }
        var history = f[3].Length == 0 ? [] : f[3].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(h => DelimitedLines.ParsePrefixedId(h, 'N', path, line, "history")).ToArray();
        var items = new List<(long, bool)>();
        foreach (var item in f[4].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = item.LastIndexOf('-');
            if (dash < 0 || dash != item.Length - 2 || item[^1] is not ('0' or '1'))
            {
                throw new DataFormatException(path, line, "impressions", $"'{item}' is not NewsID-0 or NewsID-1");
            }
            items.Add((DelimitedLines.ParsePrefixedId(item[..dash], 'N', path, line, "impressions"), item[^1] == '1'));
        }
        if (items.Count == 0)
        {
            throw new DataFormatException(path, line, "impressions", "no impressed items");
        }
        return new MindImpressionLog(impressionId, userId, new DateTimeOffset(time, TimeSpan.Zero).ToUnixTimeSeconds(), history, items);
    }
}
