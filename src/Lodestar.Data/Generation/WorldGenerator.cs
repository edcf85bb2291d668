// `lodestar world generate`: builds the world state, writes entities and their ground truth, simulates the
// days (WorldGenerator.Events.cs) and writes the manifest. Streaming: entities are rendered in parallel
// batches and events flow through a bounded channel to one writer, so memory stays bounded by the compact
// state plus a few days of output.
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Lodestar.Core.Progress;
using Lodestar.Core;
using Lodestar.Data.GroundTruth;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Data.Vocabularies;

namespace Lodestar.Data.Generation;

/// <summary>What a generation run produced and how fast. <c>Events</c> counts impressions, job events and
/// recruiter searches; <c>EventsPerSecond</c> is over the whole run (entities included).</summary>
public sealed record GenerationReport(string Directory, ulong Seed, IReadOnlyDictionary<string, long> Counts, long Events, double Seconds, double EventsPerSecond, long PeakMemoryBytes);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(WorldConfig))]
internal sealed partial class GenerationJsonContext : JsonSerializerContext;

public static partial class WorldGenerator
{
    private const int RenderChunk = 2048;

    public static GenerationReport Generate(WorldConfig config, WorldVocabulary vocabulary, string directory, IProgressReporter? progress = null, CancellationToken cancellation = default)
    {
        config.Validate();
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(directory);
        // A database from an earlier run would no longer match the files; `--sqlite` rebuilds it.
        File.Delete(Path.Combine(directory, DataFiles.Sqlite));
        var truth = Path.Combine(directory, DataFiles.GroundTruthDirectory);
        Directory.CreateDirectory(truth);
        var options = new ParallelOptions { MaxDegreeOfParallelism = config.Threads > 0 ? config.Threads : Environment.ProcessorCount, CancellationToken = cancellation };

        progress?.Start("building the world state", 0);
        var world = new WorldModel(config, vocabulary);
        world.Build();
        var renderer = new WorldRenderer(world);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            [DataFiles.Occupations] = JsonlReader.WriteAll(Path.Combine(directory, DataFiles.Occupations), DataJson.Compact.Occupation, vocabulary.Occupations),
            [DataFiles.Companies] = WriteRendered(Path.Combine(directory, DataFiles.Companies), world.CompanyCount, renderer.Company, DataJson.Compact.Company, options, progress),
            [DataFiles.Members] = WriteRendered(Path.Combine(directory, DataFiles.Members), world.MemberCount, renderer.Member, DataJson.Compact.Member, options, progress),
            [DataFiles.Jobs] = WriteRendered(Path.Combine(directory, DataFiles.Jobs), world.JobCount, renderer.Job, DataJson.Compact.Job, options, progress),
            [DataFiles.Posts] = WriteRendered(Path.Combine(directory, DataFiles.Posts), world.PostCount, renderer.Post, DataJson.Compact.Post, options, progress),
        };
        WriteRendered(Path.Combine(truth, TruthFiles.Members), world.MemberCount, m => MemberTruthOf(world, m), TruthJsonContext.Default.MemberTruth, options, progress);
        WriteRendered(Path.Combine(truth, TruthFiles.Audit), world.MemberCount, m => AuditOf(world, m), TruthJsonContext.Default.MemberAudit, options, progress);
        WriteRendered(Path.Combine(truth, TruthFiles.Posts), world.PostCount, p => new PostTruth(p + 1, world.PostQuality[p]), TruthJsonContext.Default.PostTruth, options, progress);

        counts[DataFiles.ProfileChanges] = WriteProfileChanges(world, renderer, Path.Combine(directory, DataFiles.ProfileChanges));

        var eventCounts = SimulateDays(world, directory, options, progress, cancellation);
        foreach (var (file, count) in eventCounts)
        {
            counts[file] = count;
        }
        var events = counts[DataFiles.FeedImpressions] + counts[DataFiles.JobEvents] + counts[DataFiles.RecruiterSearches];
        var parameters = JsonSerializer.SerializeToNode(config, GenerationJsonContext.Default.WorldConfig)!.AsObject();
        parameters["vocabulary"] = vocabulary.Source;
        var manifest = new WorldManifest(WorldManifest.CurrentSchemaVersion, "generated", config.Seed, config.StartDate,
            JsonDocument.Parse(parameters.ToJsonString()).RootElement.Clone(), counts, 0);
        ManifestFile.Write(directory, manifest);
        clock.Stop();
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;
        return new GenerationReport(directory, config.Seed, counts, events, clock.Elapsed.TotalSeconds, events / Math.Max(1e-9, clock.Elapsed.TotalSeconds), peak);
    }

    /// <summary>Renders records 0..count-1 in parallel batches and appends them in order to one JSONL file.</summary>
    private static long WriteRendered<T>(string path, int count, Func<int, T> render, JsonTypeInfo<T> typeInfo, ParallelOptions options, IProgressReporter? progress)
    {
        var chunks = (count + RenderChunk - 1) / RenderChunk;
        var batch = Math.Max(1, options.MaxDegreeOfParallelism) * 4;
        var stream = AtomicFile.CreateTemp(path, 1 << 20);
        progress?.Start(Path.GetFileName(path), count);
        try
        {
            for (var first = 0; first < chunks; first += batch)
            {
                var results = new byte[Math.Min(batch, chunks - first)][];
                Parallel.For(0, results.Length, options, i =>
                {
                    using var chunk = new JsonChunk();
                    var start = (first + i) * RenderChunk;
                    for (var e = start; e < Math.Min(count, start + RenderChunk); e++)
                    {
                        chunk.Add(render(e), typeInfo);
                    }
                    results[i] = chunk.ToArray();
                });
                foreach (var bytes in results)
                {
                    stream.Write(bytes);
                }
                progress?.Report(Math.Min(count, (first + results.Length) * (long)RenderChunk));
            }
        }
        catch
        {
            AtomicFile.Abandon(stream);
            throw;
        }
        AtomicFile.Commit(stream, path);
        return count;
    }

    /// <summary>Profile edits in time order (ties by member): a share of the members whose interests shift on a day of the
    /// window, once they have joined, edit their profile at a random second of that day.</summary>
    private static long WriteProfileChanges(WorldModel world, WorldRenderer renderer, string path)
    {
        var config = world.Config;
        var edits = new List<(long Time, int Day, int Member, SeededRandom Rng)>();
        for (var m = 0; m < world.MemberCount; m++)
        {
            var rng = SeededRandom.For(config.Seed, Streams.ProfileChange, m);
            var day = (int)Math.Floor(world.ShiftDay[m]);
            if (rng.Bernoulli(config.ProfileEditShare) && day >= Math.Max(0, world.MemberJoinDay[m]) && day < config.Days)
            {
                // After the day's first second, when a member joining that day joins.
                edits.Add((config.StartUnixSeconds + day * 86_400L + 1 + rng.NextInt(86_399), day, m, rng));
            }
        }
        edits.Sort(static (a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Member.CompareTo(b.Member));
        var changes = new List<ProfileChange>(edits.Count);
        foreach (var (time, day, m, rng) in edits)
        {
            if (renderer.EditedMember(m, rng) is { } member)
            {
                changes.Add(new ProfileChange(changes.Count + 1, time, day, member));
            }
        }
        return JsonlReader.WriteAll(path, DataJson.Compact.ProfileChange, changes);
    }

    private static MemberTruth MemberTruthOf(WorldModel world, int m)
    {
        var k = world.TopicCount;
        return new MemberTruth(m + 1, world.InterestFrom.AsSpan(m * k, k).ToArray(), world.InterestTo.AsSpan(m * k, k).ToArray(),
            world.ShiftDay[m], world.ShiftWidth[m], world.SessionRate[m], world.EngagementBias[m], world.JobSeeking[m]);
    }

    private static readonly string[] AgeBands = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"];

    /// <summary>Protected attributes for audits only: age follows years of experience, gender is independent of everything.</summary>
    private static MemberAudit AuditOf(WorldModel world, int m)
    {
        var rng = SeededRandom.For(world.Config.Seed, Streams.Audit, m);
        var age = 21 + world.MemberYears[m] + 3 * rng.NextGaussian();
        var band = age < 25 ? 0 : age < 35 ? 1 : age < 45 ? 2 : age < 55 ? 3 : age < 65 ? 4 : 5;
        var gender = rng.PickWeighted([0.48f, 0.48f, 0.02f, 0.02f]) switch { 0 => "female", 1 => "male", 2 => "non_binary", _ => "undisclosed" };
        return new MemberAudit(m + 1, AgeBands[band], gender);
    }
}
