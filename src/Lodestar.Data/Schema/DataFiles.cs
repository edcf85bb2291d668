// File names inside a Lodestar data directory: one JSONL file per record type, the manifest, and the
// ground-truth files beside them (read only by evaluation, never by models).
namespace Lodestar.Data.Schema;

public static class DataFiles
{
    public const string Members = "members.jsonl";
    public const string Companies = "companies.jsonl";
    public const string Jobs = "jobs.jsonl";
    public const string Posts = "posts.jsonl";
    public const string FeedImpressions = "feed_impressions.jsonl";
    public const string JobEvents = "job_events.jsonl";
    public const string ProfileChanges = "profile_changes.jsonl";
    public const string RecruiterSearches = "recruiter_searches.jsonl";
    public const string ItemInteractions = "item_interactions.jsonl";
    public const string Occupations = "occupations.jsonl";
    public const string Sqlite = "world.db";

    /// <summary>Ground truth lives in its own sub-directory so a model's data loader never sees it by accident.</summary>
    public const string GroundTruthDirectory = "truth";
}
