// The same schema in SQLite (Microsoft.Data.Sqlite): one table per record type with the scalar fields as
// columns and list-valued records kept whole as their JSON line, indexed for the queries models make
// (a member's history in time order, the impressions of a day, a post's or job's events).
// Built from a data directory's JSONL into world.db.tmp, then renamed: a half-built database never appears.
using Lodestar.Core.Progress;
using Lodestar.Core;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Microsoft.Data.Sqlite;

namespace Lodestar.Data.Sqlite;

public sealed partial class SqliteWorldStore : IDisposable
{
    private const string Schema = """
        CREATE TABLE members(id INTEGER PRIMARY KEY, occupation_id INTEGER NOT NULL, seniority TEXT NOT NULL, industry TEXT NOT NULL,
            country TEXT NOT NULL, activity_level TEXT NOT NULL, join_day INTEGER NOT NULL, record TEXT NOT NULL);
        CREATE TABLE companies(id INTEGER PRIMARY KEY, name TEXT NOT NULL, industry TEXT NOT NULL, record TEXT NOT NULL);
        CREATE TABLE jobs(id INTEGER PRIMARY KEY, company_id INTEGER NOT NULL, occupation_id INTEGER NOT NULL, seniority TEXT NOT NULL,
            country TEXT NOT NULL, posted_day INTEGER NOT NULL, record TEXT NOT NULL);
        CREATE TABLE posts(id INTEGER PRIMARY KEY, author_member_id INTEGER, author_company_id INTEGER, format TEXT NOT NULL,
            time INTEGER NOT NULL, day INTEGER NOT NULL, record TEXT NOT NULL);
        CREATE TABLE feed_impressions(id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL, member_id INTEGER NOT NULL, post_id INTEGER NOT NULL,
            position INTEGER NOT NULL, time INTEGER NOT NULL, day INTEGER NOT NULL, click INTEGER NOT NULL, skip INTEGER NOT NULL,
            long_dwell INTEGER NOT NULL, "like" INTEGER NOT NULL, comment INTEGER NOT NULL, share INTEGER NOT NULL, dwell_seconds REAL NOT NULL);
        CREATE TABLE job_events(id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL, job_id INTEGER NOT NULL, action TEXT NOT NULL,
            time INTEGER NOT NULL, day INTEGER NOT NULL);
        CREATE TABLE recruiter_searches(id INTEGER PRIMARY KEY, recruiter_member_id INTEGER NOT NULL, company_id INTEGER NOT NULL,
            time INTEGER NOT NULL, day INTEGER NOT NULL, record TEXT NOT NULL);
        CREATE TABLE item_interactions(member_id INTEGER NOT NULL, item_id INTEGER NOT NULL, sequence INTEGER NOT NULL, time INTEGER NOT NULL,
            rating REAL, PRIMARY KEY(member_id, sequence)) WITHOUT ROWID;
        CREATE TABLE manifest(record TEXT NOT NULL);
        """;

    private const string Indexes = """
        CREATE INDEX feed_impressions_member_time ON feed_impressions(member_id, time, id);
        CREATE INDEX feed_impressions_day ON feed_impressions(day);
        CREATE INDEX feed_impressions_post ON feed_impressions(post_id);
        CREATE INDEX job_events_member_time ON job_events(member_id, time, id);
        CREATE INDEX job_events_job ON job_events(job_id);
        CREATE INDEX recruiter_searches_day ON recruiter_searches(day);
        CREATE INDEX item_interactions_item ON item_interactions(item_id);
        CREATE INDEX posts_day ON posts(day);
        CREATE INDEX jobs_posted_day ON jobs(posted_day);
        CREATE INDEX members_occupation ON members(occupation_id);
        """;

    private readonly SqliteConnection _connection;

    private SqliteWorldStore(SqliteConnection connection) => _connection = connection;

    /// <summary>Opens an existing world.db read-only.</summary>
    public static SqliteWorldStore Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no SQLite database (run `lodestar world generate --sqlite` or `world import --sqlite`)", path);
        }
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return new SqliteWorldStore(connection);
    }

    /// <summary>Loads every JSONL file of <paramref name="directory"/> into directory/world.db; returns rows per table.</summary>
    public static IReadOnlyDictionary<string, long> Build(string directory, IProgressReporter? progress = null)
    {
        // Reading the manifest first checks that this is a Lodestar data directory of a schema version we know.
        ManifestFile.Read(directory);
        var path = Path.Combine(directory, DataFiles.Sqlite);
        var temp = AtomicFile.TempPathFor(path);
        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = temp, Pooling = false }.ToString()))
            {
                connection.Open();
                Execute(connection, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=8192;");
                Execute(connection, Schema);
                using (var insert = connection.CreateCommand())
                {
                    insert.CommandText = "INSERT INTO manifest(record) VALUES ($r)";
                    insert.Parameters.AddWithValue("$r", File.ReadAllText(Path.Combine(directory, WorldManifest.FileName)));
                    insert.ExecuteNonQuery();
                }
                rows["members"] = Load(connection, directory, DataFiles.Members, DataJson.Compact.Member, "members", 8, (m, line, p) => Bind(p, m.Id, m.OccupationId, Enum(m.Seniority), m.Industry, m.Location.Country, Enum(m.ActivityLevel), m.JoinDay, line), progress);
                rows["companies"] = Load(connection, directory, DataFiles.Companies, DataJson.Compact.Company, "companies", 4, (c, line, p) => Bind(p, c.Id, c.Name, c.Industry, line), progress);
                rows["jobs"] = Load(connection, directory, DataFiles.Jobs, DataJson.Compact.Job, "jobs", 7, (j, line, p) => Bind(p, j.Id, j.CompanyId, j.OccupationId, Enum(j.Seniority), j.Location.Country, j.PostedDay, line), progress);
                rows["posts"] = Load(connection, directory, DataFiles.Posts, DataJson.Compact.Post, "posts", 7, (x, line, p) => Bind(p, x.Id, x.AuthorMemberId, x.AuthorCompanyId, Enum(x.Format), x.Time, x.Day, line), progress);
                rows["feed_impressions"] = Load(connection, directory, DataFiles.FeedImpressions, DataJson.Compact.FeedImpression, "feed_impressions", 14,
                    (i, _, p) => Bind(p, i.Id, i.SessionId, i.MemberId, i.PostId, i.Position, i.Time, i.Day, i.Click, i.Skip, i.LongDwell, i.Like, i.Comment, i.Share, i.DwellSeconds), progress);
                rows["job_events"] = Load(connection, directory, DataFiles.JobEvents, DataJson.Compact.JobEvent, "job_events", 6, (e, _, p) => Bind(p, e.Id, e.MemberId, e.JobId, Enum(e.Action), e.Time, e.Day), progress);
                rows["recruiter_searches"] = Load(connection, directory, DataFiles.RecruiterSearches, DataJson.Compact.RecruiterSearch, "recruiter_searches", 6, (s, line, p) => Bind(p, s.Id, s.RecruiterMemberId, s.CompanyId, s.Time, s.Day, line), progress);
                rows["item_interactions"] = Load(connection, directory, DataFiles.ItemInteractions, DataJson.Compact.ItemInteraction, "item_interactions", 5, (x, _, p) => Bind(p, x.MemberId, x.ItemId, x.Sequence, x.Time, x.Rating), progress);
                Execute(connection, Indexes);
                Execute(connection, "ANALYZE;");
            }
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        AtomicFile.Publish(temp, path);
        return rows;
    }

    public void Dispose() => _connection.Dispose();

    private static string Enum<T>(T value) where T : struct, Enum =>
        System.Text.Json.JsonSerializer.Serialize(value, typeof(T), DataJson.Compact).Trim('"');

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
