// Reads MovieLens (GroupLens, grouplens.org/datasets/movielens): ML-100K's u.data (tab-separated user,
// item, rating, timestamp) and u.item (pipe-separated, 19 genre flags), and ML-1M's ratings.dat and
// movies.dat ("::"-separated, genres joined by '|'). Both are Latin-1 encoded.
using System.Text;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;

namespace Lodestar.Data.Readers;

/// <summary>One rating: user, movie, stars and Unix time.</summary>
public readonly record struct Rating(long UserId, long ItemId, float Stars, long Time);

public static class MovieLensReader
{
    /// <summary>The 19 genre columns of ML-100K's u.item, in file order.</summary>
    public static readonly string[] Genres100K =
    [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
        "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ];

    public static Encoding Latin1 => Encoding.Latin1;

    /// <summary>u.data: user \t item \t rating \t timestamp.</summary>
    public static IEnumerable<Rating> ReadRatings100K(string path, BadLineLog? badLines = null) =>
        ReadRatings(path, "\t", badLines);

    /// <summary>ratings.dat: UserID::MovieID::Rating::Timestamp.</summary>
    public static IEnumerable<Rating> ReadRatings1M(string path, BadLineLog? badLines = null) =>
        ReadRatings(path, "::", badLines);

    /// <summary>u.item: id|title|release date|video release date|IMDb URL|19 genre flags.</summary>
    public static IEnumerable<Post> ReadItems100K(string path, BadLineLog? badLines = null)
    {
        badLines ??= BadLineLog.Strict;
        foreach (var (line, text) in DelimitedLines.Read(path, Latin1))
        {
            Post post;
            try
            {
                var f = DelimitedLines.Split(text, "|", 5 + Genres100K.Length, path, line);
                var genres = new List<string>();
                for (var g = 0; g < Genres100K.Length; g++)
                {
                    var flag = f[5 + g];
                    if (flag is not ("0" or "1"))
                    {
                        throw new DataFormatException(path, line, $"genre {Genres100K[g]}", $"'{flag}' is not 0 or 1");
                    }
                    if (flag == "1")
                    {
                        genres.Add(Genres100K[g]);
                    }
                }
                post = Movie(DelimitedLines.ParseLong(f[0], path, line, "movie_id"), f[1], genres);
            }
            catch (DataFormatException error)
            {
                badLines.Report(error);
                continue;
            }
            yield return post;
        }
    }

    /// <summary>movies.dat: MovieID::Title::Genres (genres joined by '|').</summary>
    public static IEnumerable<Post> ReadMovies1M(string path, BadLineLog? badLines = null)
    {
        badLines ??= BadLineLog.Strict;
        foreach (var (line, text) in DelimitedLines.Read(path, Latin1))
        {
            Post post;
            try
            {
                var f = DelimitedLines.Split(text, "::", 3, path, line);
                post = Movie(DelimitedLines.ParseLong(f[0], path, line, "movie_id"), f[1], f[2].Split('|', StringSplitOptions.RemoveEmptyEntries));
            }
            catch (DataFormatException error)
            {
                badLines.Report(error);
                continue;
            }
            yield return post;
        }
    }

    private static Post Movie(long id, string title, IReadOnlyCollection<string> genres)
    {
        var topics = genres.Count == 0 ? [new TopicWeight("unknown", 1f)] : genres.Select(g => new TopicWeight(g, 1f / genres.Count)).ToArray();
        return new Post(id, null, null, topics, PostFormat.Text, title, 0, 0);
    }

    private static IEnumerable<Rating> ReadRatings(string path, string separator, BadLineLog? badLines)
    {
        badLines ??= BadLineLog.Strict;
        foreach (var (line, text) in DelimitedLines.Read(path, Latin1))
        {
            Rating rating;
            try
            {
                var f = DelimitedLines.Split(text, separator, 4, path, line);
                var stars = DelimitedLines.ParseFloat(f[2], path, line, "rating");
                if (stars is < 0 or > 10)
                {
                    throw new DataFormatException(path, line, "rating", $"{stars} is outside 0..10");
                }
                rating = new Rating(
                    DelimitedLines.ParseLong(f[0], path, line, "user_id"),
                    DelimitedLines.ParseLong(f[1], path, line, "item_id"),
                    stars,
                    DelimitedLines.ParseLong(f[3], path, line, "timestamp"));
            }
            catch (DataFormatException error)
            {
                badLines.Report(error);
                continue;
            }
            yield return rating;
        }
    }
}
