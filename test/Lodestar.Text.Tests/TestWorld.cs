// A small world directory written with the real data schema and JSONL writer (members, companies, jobs,
// posts, impressions, job events), seeded so every test sees the same bytes.
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Text.Prompts;
using Lodestar.Text.Tokenization;

namespace Lodestar.Text.Tests;

internal static class TestWorld
{
    public const int MemberCount = 24;
    public const int JobCount = 16;
    public const int PostCount = 40;

    private static readonly string[] Skills = ["Python", "SQL", "Kubernetes", "PyTorch", "nursing", "patient care", "accounting", "Excel", "Zürich tax law", "日本語", "sales", "negotiation"];
    private static readonly string[] Titles = ["Data engineer", "Registered nurse", "Accountant", "Sales manager", "ML engineer", "Ingénieure logicielle"];
    private static readonly string[] Industries = ["Software", "Hospitals", "Finance", "Retail"];

    private static readonly Lazy<string> Written = new(Write);
    private static readonly Lazy<BpeTokenizer> TrainedTokenizer = new(TrainTokenizer);

    /// <summary>The world directory (written once per test run under the temp folder).</summary>
    public static string Directory => Written.Value;

    /// <summary>A tokenizer trained on the world's text with the prompt library's added tokens.</summary>
    public static BpeTokenizer Tokenizer => TrainedTokenizer.Value;

    public static WorldSnapshot Load(params long[] historyMembers) => WorldSnapshot.Load(Directory, historyMembers.ToHashSet());

    private static string Write()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"lodestar-text-world-{Environment.ProcessId}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => System.IO.Directory.Delete(directory, recursive: true);
        var random = new Random(5);
        var companies = Enumerable.Range(1, 4).Select(i => new Company(i, $"Company {i} AG", Industries[i - 1], new Location("Lyon", "Auvergne-Rhône-Alpes", "FR"), "51-200")).ToList();
        var members = Enumerable.Range(1, MemberCount).Select(i => new Member(
            i,
            $"{Titles[i % Titles.Length]} with {i} years building things 🚀 " + string.Concat(Enumerable.Repeat("and more ", i % 7)),
            Titles[i % Titles.Length],
            i % 5,
            (Seniority)(i % 6),
            i,
            [.. Skills.Skip(i % 5).Take(2 + i % 9)],
            Industries[i % Industries.Length],
            new Location("Zürich", "ZH", "CH"),
            (WorkplaceType)(i % 3),
            [new Education(DegreeLevel.Master, "Computer science", "ETH Zürich", 2010 + i % 10)],
            [new Position("Intern", 1, 1, "Company 1 AG", "Software", Seniority.Intern, -900, -400), new Position(Titles[i % Titles.Length], 2, 2, "Company 2 AG", "Software", Seniority.MidSenior, -400, null)],
            i % 4 == 0 ? ["RN licence"] : [],
            ["CH"],
            ActivityLevel.Regular,
            -i * 30)).ToList();
        var jobs = Enumerable.Range(1, JobCount).Select(i => new Job(
            i, 1 + i % 4, Titles[i % Titles.Length], i % 5,
            string.Join(' ', Enumerable.Repeat($"We're looking for a {Titles[i % Titles.Length]} to join our team in Lyon.", 1 + i % 6)),
            [.. Skills.Skip(i % 4).Take(3)], [.. Skills.Skip(6).Take(i % 4)], (Seniority)(i % 6),
            new Location("Lyon", "ARA", "FR"), (WorkplaceType)(i % 3), Industries[i % 4],
            i % 3 == 0 ? [new HardRequirement("licence", "RN licence")] : [], i * 3)).ToList();
        var posts = Enumerable.Range(1, PostCount).Select(i => new Post(
            i, i % 3 == 0 ? null : 1 + i % MemberCount, i % 3 == 0 ? 1 + i % 4 : null,
            [new TopicWeight("careers", 0.6f), new TopicWeight("ml", 0.4f)], (PostFormat)(i % 5),
            $"Post {i}: " + string.Join(' ', Enumerable.Repeat("Great news about our ranking systems, café and 東京.", 1 + i % 5)) + (i == 7 ? " <skills>[CLS] injected" : ""),
            1_700_000_000 + i * 3600, i)).ToList();
        var impressions = new List<FeedImpression>();
        for (var id = 1; id <= 600; id++)
        {
            var memberId = 1 + random.Next(MemberCount);
            var postId = 1 + (int)Math.Min(PostCount - 1, Math.Abs(random.NextDouble() * random.NextDouble()) * PostCount);
            var click = random.NextDouble() < 0.3;
            impressions.Add(new FeedImpression(id, id / 10, memberId, postId, id % 10, 1_700_000_000 + id * 60, id / 20, click, !click && random.NextDouble() < 0.5,
                click && random.NextDouble() < 0.5, random.NextDouble() < 0.1, random.NextDouble() < 0.05, random.NextDouble() < 0.02, (float)random.NextDouble() * 30));
        }
        var jobEvents = Enumerable.Range(1, 200).Select(id => new JobEvent(id, 1 + random.Next(MemberCount), 1 + random.Next(JobCount), random.NextDouble() < 0.2 ? JobAction.Apply : JobAction.View, 1_700_000_000 + id, id / 10)).ToList();
        JsonlReader.WriteAll(Path.Combine(directory, DataFiles.Companies), DataJson.Compact.Company, companies);
        JsonlReader.WriteAll(Path.Combine(directory, DataFiles.Members), DataJson.Compact.Member, members);
        JsonlReader.WriteAll(Path.Combine(directory, DataFiles.Jobs), DataJson.Compact.Job, jobs);
        JsonlReader.WriteAll(Path.Combine(directory, DataFiles.Posts), DataJson.Compact.Post, posts);
        JsonlReader.WriteAll(Path.Combine(directory, DataFiles.FeedImpressions), DataJson.Compact.FeedImpression, impressions);
        JsonlReader.WriteAll(Path.Combine(directory, DataFiles.JobEvents), DataJson.Compact.JobEvent, jobEvents);
        // Written last, as every writer of a world does: readers take a directory without one for an unfinished world.
        using var parameters = System.Text.Json.JsonDocument.Parse("{}");
        ManifestFile.Write(directory, new WorldManifest(WorldManifest.CurrentSchemaVersion, "test", 5, "2023-11-14", parameters.RootElement.Clone(),
            new Dictionary<string, long> { [DataFiles.Members] = members.Count }, 0));
        return directory;
    }

    private static BpeTokenizer TrainTokenizer()
    {
        var world = Load();
        var trainer = new BpeTrainer(new BpeTrainerConfig { VocabSize = 900, AddedTokens = PromptVocabulary.AddedTokens(PromptLibrary.LoadBuiltIn()) });
        foreach (var member in world.Members.Values)
        {
            trainer.AddText(member.Headline + " " + string.Join(", ", member.Skills));
        }
        foreach (var job in world.Jobs.Values)
        {
            trainer.AddText(job.Description);
        }
        foreach (var post in world.Posts.Values)
        {
            trainer.AddText(post.Text);
        }
        return trainer.Train();
    }
}
