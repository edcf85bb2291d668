// The feed-retrieval dual encoder trained end to end on a small generated world through the one training
// loop: its loss falls, it ranks held-out engagements above a random ranking, the run directory holds the
// common record with recall under its keys and popularity and the world's oracle beside it, and an interrupted run
// resumes exactly.
using Lodestar.Data.Generation;
using Lodestar.Data.GroundTruth;
using Lodestar.Data.Vocabularies;
using Lodestar.Features.Encoders;
using Lodestar.Features.Retrieval;
using Lodestar.Text.Prompts;
using Lodestar.Models.Bert;
using Lodestar.Training.Loop;
using Lodestar.Training.Retrieval;
using Lodestar.Tensors.Serialization;

namespace Lodestar.Training.Tests.Retrieval;

public sealed class RetrievalTrainingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-retrieval-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string World(int members, int days, ulong seed)
    {
        var world = Path.Combine(_directory, "world");
        WorldGenerator.Generate(new WorldConfig { Members = members, Days = days, Seed = seed, MatchSamplePairs = 50, Threads = 1 }, BuiltInVocabulary.Create(), world);
        return world;
    }

    /// <summary>A one-layer encoder of the given width reading prompts of the given length.</summary>
    private static RetrievalConfig Small(string world, int tokens, int channels, int evaluationExamples) => new()
    {
        World = world,
        TokenizerVocab = 600,
        Data = new RetrievalDataConfig { ValidationDays = 2, TestDays = 2 },
        MemberTokens = tokens,
        PostTokens = tokens,
        EvaluationExamples = evaluationExamples,
        Model = new BertConfig { Channels = channels, Heads = 2, FeedForward = 2 * channels, Layers = 1, MaxPositions = tokens, Dropout = 0f },
    };

    [Fact]
    public async Task TheDualEncoderLearnsToRankHeldOutEngagementsAboveChance()
    {
        var world = World(members: 400, days: 12, seed: 7);
        var config = Small(world, tokens: 64, channels: 32, evaluationExamples: 150) with
        {
            MemberTokens = 64,
            PostTokens = 48,
            Training = RetrievalConfig.DefaultTraining with { Epochs = 4, BatchSize = 16, LearningRate = 3e-3f, Patience = 4 },
        };
        var record = RetrievalRun.Train(config, Path.Combine(_directory, "run"));
        Assert.Equal(RunStatus.Finished, record.Status);
        Assert.True(record.Epochs[^1].TrainLoss < record.Epochs[0].TrainLoss, $"loss {record.Epochs[0].TrainLoss} -> {record.Epochs[^1].TrainLoss}");
        // A random ranking's expected recall@10 is 10 / (posts created by the day), averaged over the scored member-days.
        var log = FeedLog.Load(world);
        var test = RetrievalExamples.Build(log, config.Data).Where(e => e.Split == RetrievalSplit.Test).Take(config.EvaluationExamples).ToList();
        var chance = test.Average(e => Math.Min(1.0, 10.0 / log.PostsCreatedBy(e.Day).Length));
        Assert.True(record.Test!["recall@10"] > 2 * chance, $"test recall@10 {record.Test["recall@10"]:F4} vs random {chance:F4}");
        Assert.Contains(record.Test.Keys, k => k.StartsWith("recall@100/history-", StringComparison.Ordinal));
        Assert.InRange(record.Test["cut-share/member-prompts"], 0, 1);
        // Popularity, measured in the same run: every member gets the posts with the most engagements before the day.
        var expected = test.Average(e =>
        {
            var ranked = log.PostsCreatedBy(e.Day).ToArray().OrderByDescending(p => log.CountsBefore(p, e.Day).Positives).ThenBy(p => p).Take(10);
            return (double)ranked.Count(e.Positives.Contains) / e.Positives.Length;
        });
        Assert.Equal(expected, record.Test["recall@10/popularity"], 12);
        // The oracle, in the same run: each member gets the posts the world could show that day (every engagement is of
        // one) ranked by their true relevance to that member; it must beat popularity and the model.
        var relevance = FeedRelevance.Open(world);
        Assert.All(test, e => Assert.All(e.Positives, p => Assert.True(relevance.IsLive(log.Posts[p], e.Day), $"post {p} engaged on day {e.Day} was not live")));
        var oracle = test.Average(e =>
        {
            var ranked = log.PostsCreatedBy(e.Day).ToArray().Where(p => relevance.IsLive(log.Posts[p], e.Day))
                .OrderByDescending(p => (float)relevance.Merit(e.MemberId, p, e.Day)).ThenBy(p => p).Take(10);
            return (double)ranked.Count(e.Positives.Contains) / e.Positives.Length;
        });
        Assert.Equal(oracle, record.Test["recall@10/oracle"], 12);
        Assert.True(oracle > record.Test["recall@10/popularity"] && oracle > record.Test["recall@10"],
            $"oracle recall@10 {oracle:F4}, popularity {record.Test["recall@10/popularity"]:F4}, model {record.Test["recall@10"]:F4}");
        Assert.True(File.Exists(Path.Combine(_directory, "run", TrainingLoop.BestFile)));

        // The report: recall by depth and cold start beside both references, and the popularity–similarity scatter, with
        // the same numbers in report.json.
        var html = File.ReadAllText(Path.Combine(_directory, "run", RunReport.FileName));
        foreach (var section in new[] { "Recall at each depth", "Recall by depth", "Cold start", "recall@100 by history length", "Popularity against mean similarity" })
        {
            Assert.Contains(section, html, StringComparison.Ordinal);
        }
        using var numbers = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, "run", "report.json")));
        var report = numbers.RootElement.GetProperty("task");
        var recall100 = report.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("metric").GetString() == "recall@100");
        Assert.Equal((record.Test["recall@100"] - record.Test["recall@100/popularity"]) / (record.Test["recall@100/oracle"] - record.Test["recall@100/popularity"]),
            recall100.GetProperty("gap_closed").GetDouble(), 12);
        var buckets = report.GetProperty("cold_start").EnumerateArray().ToList();
        Assert.Equal(record.Test.Keys.Count(k => k.StartsWith("queries/history-", StringComparison.Ordinal)), buckets.Count);
        Assert.All(buckets, b => Assert.Equal(record.Test[$"recall@100/{b.GetProperty("bucket").GetString()}/oracle"], b.GetProperty("truth").GetDouble()));
        Assert.InRange(report.GetProperty("points").GetArrayLength(), 100, 2_000);
        Assert.Empty(await Lodestar.TestSupport.ReportInChromium.Problems(Path.Combine(_directory, "run", RunReport.FileName)));

        // Interrupted inside its second epoch and resumed, the run ends with the same weights and moments.
        var resumedRun = Path.Combine(_directory, "resumed");
        var batches = record.Data.Counts["train_member_days"] is var days ? (int)((days + 15) / 16) : 0;
        Assert.Equal(RunStatus.Interrupted, RetrievalRun.Train(config, resumedRun, new LoopOptions(StopAfterSteps: batches + 3)).Status);
        RetrievalRun.Train(config, resumedRun, new LoopOptions(Resume: true));
        using var straight = SafeTensorsFile.Read(Path.Combine(_directory, "run", TrainingLoop.LastFile));
        using var resumed = SafeTensorsFile.Read(Path.Combine(resumedRun, TrainingLoop.LastFile));
        Assert.All(straight.Entries, e => Assert.True(straight.GetFloat32(e.Name).SequenceEqual(resumed.GetFloat32(e.Name)), $"{e.Name} differs after resume"));
    }

    [Fact]
    public void JobCandidatesAreRetrievedByTheSameRecipeBesidePopularityAndTheTrueMatch()
    {
        var world = World(members: 2500, days: 16, seed: 11);
        var config = Small(world, tokens: 128, channels: 32, evaluationExamples: 0) with
        {
            Target = RetrievalTarget.Jobs,
            Data = new RetrievalDataConfig { ValidationDays = 3, TestDays = 3 },
            Training = RetrievalConfig.DefaultTraining with { Epochs = 4, BatchSize = 16, LearningRate = 3e-3f, Patience = 4 },
        };
        var record = RetrievalRun.Train(config, Path.Combine(_directory, "jobs"));
        Assert.Equal(("retrieval.job-candidates", RunStatus.Finished), (record.Task, record.Status));
        Assert.Equal(["jobs", "job-events"], record.Data.Inputs.Select(i => i.Role));
        Assert.True(record.Epochs[^1].TrainLoss < record.Epochs[0].TrainLoss, $"loss {record.Epochs[0].TrainLoss} -> {record.Epochs[^1].TrainLoss}");
        var log = JobLog.Load(world);
        var test = RetrievalExamples.Build(log, config.Data).Where(e => e.Split == RetrievalSplit.Test).ToList();
        Assert.True(test.Count >= 20, $"{test.Count} test member-days");
        Assert.Equal(test.Count, record.Data.Counts["test_member_days"]);
        // Popularity: the jobs with the most applies before the day; the match: every open job by its true match with the member.
        var popularity = test.Average(e =>
        {
            var ranked = log.ItemsCreatedBy(e.Day).ToArray().OrderByDescending(j => log.CountsBefore(j, e.Day).Applies).ThenBy(j => j).Take(10);
            return (double)ranked.Count(e.Positives.Contains) / e.Positives.Length;
        });
        Assert.Equal(popularity, record.Test!["recall@10/popularity"], 12);
        var match = Lodestar.Data.GroundTruth.MatchOracle.Open(world);
        var byMatch = test.Average(e =>
        {
            var ranked = log.ItemsCreatedBy(e.Day).ToArray().OrderByDescending(j => match.Match(e.MemberId, j).Overall).ThenBy(j => j).Take(10);
            return (double)ranked.Count(e.Positives.Contains) / e.Positives.Length;
        });
        Assert.Equal(byMatch, record.Test["recall@10/match"], 12);
        Assert.DoesNotContain(record.Test.Keys, k => k.EndsWith("/oracle", StringComparison.Ordinal));
        Assert.True(byMatch > popularity, $"match recall@10 {byMatch:F4}, popularity {popularity:F4}");
        // The match is no upper bound (applies follow more than it scores), so the report reads no gap against it.
        using (var numbers = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, "jobs", "report.json"))))
        {
            var report = numbers.RootElement.GetProperty("task");
            Assert.Equal("match", report.GetProperty("truth").GetString());
            Assert.All(report.GetProperty("metrics").EnumerateArray(), m => Assert.Equal(System.Text.Json.JsonValueKind.Null, m.GetProperty("gap_closed").ValueKind));
        }
        // The encoder learns what a member applies to: above a random ranking of the open jobs.
        var chance = test.Average(e => Math.Min(1.0, 50.0 / log.ItemsCreatedBy(e.Day).Length));
        Assert.True(record.Test["recall@50"] > 1.5 * chance, $"test recall@50 {record.Test["recall@50"]:F4} vs random {chance:F4}");

        // The run's jobs embedded for an index: every job posted by the day after the log, unit rows.
        var embedded = RetrievalRun.Embed(Path.Combine(_directory, "jobs"), members: false);
        Assert.Equal(log.ItemsCreatedBy(log.LastDay + 1).ToArray(), embedded.Ids);
        Assert.All(Enumerable.Range(0, embedded.Ids.Length), i =>
            Assert.InRange(System.Numerics.Tensors.TensorPrimitives.Norm(embedded.Vectors.AsSpan(i * embedded.Dimension, embedded.Dimension)), 0.999f, 1.001f));

        var error = Assert.Throws<Lodestar.Core.InvalidConfigException>(() => RetrievalRun.Train(config with { Counts = CountFormat.Raw }, Path.Combine(_directory, "raw-jobs")));
        Assert.Contains("counts", error.Message, StringComparison.Ordinal);

        // Policy-anchored positives join the training member-days only: the same test member-days, the pairs counted.
        var anchored = RetrievalRun.Train(config with { PolicyPositives = 3, Training = config.Training with { Epochs = 1 } }, Path.Combine(_directory, "anchored"));
        Assert.True(anchored.Data.Counts["policy_positive_pairs"] > 0);
        Assert.Equal(record.Data.Counts["test_member_days"], anchored.Data.Counts["test_member_days"]);
        var posts = Assert.Throws<Lodestar.Core.InvalidConfigException>(() => (config with { Target = RetrievalTarget.Posts, PolicyPositives = 3 }).Validate());
        Assert.Contains("PolicyPositives", posts.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARunWhoseTokenizerNoLongerFitsItsCheckpointIsRefusedByName()
    {
        var world = World(members: 200, days: 10, seed: 3);
        var config = Small(world, tokens: 32, channels: 16, evaluationExamples: 20) with
        {
            Training = RetrievalConfig.DefaultTraining with { Epochs = 2, BatchSize = 16, CheckpointEverySteps = 1 },
        };
        var run = Path.Combine(_directory, "run");
        Assert.Equal(RunStatus.Interrupted, RetrievalRun.Train(config, run, new LoopOptions(StopAfterSteps: 2)).Status);
        Lodestar.Text.Tokenization.TokenizerJson.Save(RetrievalRun.TrainTokenizer(world, 700), Path.Combine(run, RetrievalRun.TokenizerFile));
        var error = Assert.Throws<InvalidDataException>(() => RetrievalRun.Train(config, run, new LoopOptions(Resume: true)));
        Assert.Contains(RetrievalRun.TokenizerFile, error.Message, StringComparison.Ordinal);
        Assert.Contains("vocabulary of", error.Message, StringComparison.Ordinal);
        // A config naming an unknown field fails by file, line and field.
        var bad = Path.Combine(_directory, "bad.json");
        File.WriteAllText(bad, "{\n  \"hard_negativs\": 3\n}");
        var unknown = Assert.Throws<InvalidDataException>(() => RetrievalConfig.Load(bad));
        Assert.Contains("line 2", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("hard_negativs", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APretrainedEncoderIsFineTunedFromItsWeightsInItsOwnVocabulary()
    {
        var world = World(members: 200, days: 10, seed: 4);
        // A "pretrained" encoder: a character-level WordPiece vocabulary and a small BERT whose table matches it.
        var pretrained = Path.Combine(_directory, "pretrained");
        Directory.CreateDirectory(pretrained);
        var letters = "abcdefghijklmnopqrstuvwxyz0123456789".Select(c => c.ToString()).ToList();
        string[] vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".Select(c => c.ToString()), .. letters, .. letters.Select(l => "##" + l)];
        File.WriteAllLines(Path.Combine(pretrained, PretrainedEncoder.VocabularyFile), vocabulary);
        var encoder = new BertModel(new BertConfig { VocabSize = vocabulary.Length, Channels = 16, Heads = 2, FeedForward = 32, Layers = 1, MaxPositions = 80, Dropout = 0f, Seed = 21 });
        encoder.Save(Path.Combine(pretrained, PretrainedEncoder.CheckpointFile));

        var config = new RetrievalConfig
        {
            World = world,
            Pretrained = pretrained,
            Data = new RetrievalDataConfig { ValidationDays = 2, TestDays = 2 },
            MemberTokens = 64,
            PostTokens = 48,
            EvaluationExamples = 20,
            Training = RetrievalConfig.DefaultTraining with { Epochs = 1, BatchSize = 8, LearningRate = 1e-3f, WarmupSteps = 0, WeightDecay = 0f, CheckpointEverySteps = 1 },
        };
        var run = Path.Combine(_directory, "run");
        var record = RetrievalRun.Train(config, run, new LoopOptions(StopAfterSteps: 1));
        Assert.Equal(RunStatus.Interrupted, record.Status);
        Assert.Equal(encoder.Config, record.Config.Model);
        Assert.Contains(record.Data.Inputs, i => i.Role == "pretrained-encoder");
        Assert.Equal(vocabulary, File.ReadAllLines(Path.Combine(run, PretrainedEncoder.VocabularyFile)));
        // One AdamW step from the pretrained weights moves no weight by much more than the learning rate.
        using var after = SafeTensorsFile.Read(Path.Combine(run, TrainingLoop.LastFile));
        foreach (var (name, parameter) in encoder.NamedParameters())
        {
            var weights = after.GetFloat32(name).ToArray();
            var moved = weights.Select((w, i) => Math.Abs(w - parameter.Data[i])).Max();
            Assert.True(moved <= 1.5e-3, $"{name} moved {moved} in one step");
        }
        // Prompts are WordPiece ids inside [CLS] … [SEP].
        var log = FeedLog.Load(world);
        var example = RetrievalExamples.Build(log, config.Data).First(e => e.Split == RetrievalSplit.Train);
        var tokenizer = Lodestar.Text.Tokenization.BertWordPiece.Load(Path.Combine(pretrained, PretrainedEncoder.VocabularyFile));
        var prompts = config.Prompts(Lodestar.Text.Prompts.WorldSnapshot.Load(world), log, tokenizer, RetrievalExamples.Boundaries(log, config.Data).ValidationStart);
        var ids = prompts.MemberTokens(example.MemberId, example.Day);
        Assert.Equal((tokenizer.ClassificationId, tokenizer.SeparatorId), (ids[0], ids[^1]));
        Assert.InRange(ids.Length, 10, config.MemberTokens + 2);

        // The run resumes to its end; the zero-shot encoder is tested on the same member-days (popularity's figures agree).
        var finished = RetrievalRun.Train(config, run, new LoopOptions(Resume: true));
        Assert.Equal(RunStatus.Finished, finished.Status);
        var zeroShot = RetrievalRun.EvaluatePretrained(config);
        Assert.Equal(finished.Test!["recall@100/popularity"], zeroShot["recall@100/popularity"]);
        Assert.InRange(zeroShot["recall@100"], 0, 1);
        // Character pieces fill a 64-token member budget long before a profile and its history end.
        Assert.True(zeroShot["cut-share/member-prompts"] > 0.9, $"{zeroShot["cut-share/member-prompts"]} of member prompts cut");
        Assert.InRange(zeroShot["cut-share/post-prompts"], 0, 1);
        // A vocabulary that does not fit the encoder is refused by name.
        File.WriteAllLines(Path.Combine(pretrained, PretrainedEncoder.VocabularyFile), vocabulary[..^3]);
        var error = Assert.Throws<InvalidDataException>(() => RetrievalRun.Train(config, Path.Combine(_directory, "other")));
        Assert.Contains("vocab.txt", error.Message, StringComparison.Ordinal);
        Assert.Contains("belong together", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AStudentDistilsFromATeacherRunOfItsOwnWorldOnly()
    {
        var world = World(members: 200, days: 10, seed: 5);
        var teacherRun = Path.Combine(_directory, "teacher");
        var teacherConfig = Small(world, tokens: 32, channels: 24, evaluationExamples: 20) with
        {
            Training = RetrievalConfig.DefaultTraining with { Epochs = 1, BatchSize = 16 },
        };
        Assert.Equal(RunStatus.Finished, RetrievalRun.Train(teacherConfig, teacherRun).Status);

        var student = Small(world, tokens: 32, channels: 16, evaluationExamples: 20) with
        {
            Training = RetrievalConfig.DefaultTraining with { Epochs = 1, BatchSize = 16 },
        };
        RetrievalRun.Train(student, Path.Combine(_directory, "alone"));
        // A teacher weighted 0 changes nothing (same batches, same negatives, same weights); weighted 1 it changes the weights.
        RetrievalRun.Train(student with { Teacher = teacherRun, DistillWeight = 0f }, Path.Combine(_directory, "weight-0"));
        var distilled = RetrievalRun.Train(student with { Teacher = teacherRun }, Path.Combine(_directory, "distilled"));
        Assert.Equal(RunStatus.Finished, distilled.Status);
        Assert.Contains(distilled.Data.Inputs, i => i.Role == "teacher");
        using var alone = SafeTensorsFile.Read(Path.Combine(_directory, "alone", TrainingLoop.LastFile));
        using var unweighted = SafeTensorsFile.Read(Path.Combine(_directory, "weight-0", TrainingLoop.LastFile));
        using var taught = SafeTensorsFile.Read(Path.Combine(_directory, "distilled", TrainingLoop.LastFile));
        Assert.All(alone.Entries, e => Assert.True(alone.GetFloat32(e.Name).SequenceEqual(unweighted.GetFloat32(e.Name)), $"{e.Name} moved by a teacher of weight 0"));
        Assert.Contains(alone.Entries, e => !alone.GetFloat32(e.Name).SequenceEqual(taught.GetFloat32(e.Name)));

        // A teacher trained on another world is refused by name.
        var otherWorld = Path.Combine(_directory, "other-world");
        WorldGenerator.Generate(new WorldConfig { Members = 150, Days = 10, Seed = 9, MatchSamplePairs = 50, Threads = 1 }, BuiltInVocabulary.Create(), otherWorld);
        var error = Assert.Throws<InvalidDataException>(() => RetrievalRun.Train(student with { World = otherWorld, Teacher = teacherRun }, Path.Combine(_directory, "mismatch")));
        Assert.Contains("a teacher must know the student's world", error.Message, StringComparison.Ordinal);
    }
}
