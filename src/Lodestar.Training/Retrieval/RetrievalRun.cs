// Trains a retrieval dual encoder end to end: the world's feed log (or its job log, for job candidates) becomes
// examples split by day, prompts render members and items as of each day (in a BPE vocabulary learned from the world's
// records, or in a pretrained encoder's WordPiece), and the one training loop fits the shared encoder (from scratch,
// or fine-tuning the pretrained one), writing the common run directory.
using Lodestar.Core;
using Lodestar.Core.Progress;
using Lodestar.Data.GroundTruth;
using Lodestar.Data.Schema;
using Lodestar.Features.Encoders;
using Lodestar.Features.Retrieval;
using Lodestar.Models.Bert;
using Lodestar.Text.Prompts;
using Lodestar.Text.Tokenization;
using Lodestar.Training.Loop;

namespace Lodestar.Training.Retrieval;

/// <summary>Embeddings of a run's items or members: N ids, N·D rows, N creation times, as of the start of <paramref name="Day"/>.</summary>
public sealed record RunEmbeddings(long[] Ids, float[] Vectors, long[] CreatedAt, int Dimension, int Day);

public static class RetrievalRun
{
    public const string TokenizerFile = RetrievalEncoder.TokenizerFile;

    /// <summary>Trains (or, with options.Resume, continues) a run of <paramref name="config"/> into <paramref name="runDirectory"/>.</summary>
    public static RunRecord<RetrievalConfig> Train(RetrievalConfig config, string runDirectory, LoopOptions? options = null)
    {
        config.Validate();
        options ??= new LoopOptions();
        // A pretrained encoder brings its own vocabulary and shape: the run records the config it really trains.
        var pretrained = config.Pretrained is { } directory ? PretrainedEncoder.Load(directory) : null;
        if (pretrained is not null)
        {
            config = config.ResolvePretrained(pretrained.Model.Config);
        }
        var items = ItemSide.Open(config);
        var log = items.Log;
        var world = WorldSnapshot.Load(config.World);
        var examples = RetrievalExamples.Build(log, config.Data);
        var boundaries = RetrievalExamples.Boundaries(log, config.Data);
        var policyPositives = 0L;
        if (config.PolicyPositives is { } threshold && log is JobLog jobs)
        {
            (examples, policyPositives) = PolicyPositives.Add(examples, jobs, world, Policy.PolicyLoader.LoadJobPolicy(config.Policy), threshold);
        }
        var counts = new Dictionary<string, long>(items.Counts)
        {
            ["train_member_days"] = examples.Count(e => e.Split == RetrievalSplit.Train),
            ["validation_member_days"] = examples.Count(e => e.Split == RetrievalSplit.Validation),
            ["test_member_days"] = examples.Count(e => e.Split == RetrievalSplit.Test),
            ["validation_start_day"] = boundaries.ValidationStart,
            ["test_start_day"] = boundaries.TestStart,
        };
        if (config.PolicyPositives is not null)
        {
            counts["policy_positive_pairs"] = policyPositives;
        }
        var start = new RunRecord<RetrievalConfig>
        {
            Task = config.Target == RetrievalTarget.Jobs ? "retrieval.job-candidates" : "retrieval.dual-encoder",
            Status = RunStatus.Running,
            Config = config,
            Selection = new SelectionMetric(Evaluation.MetricNames.Recall(100), HigherIsBetter: true),
            Data = new RunData(
                [
                    .. items.Inputs,
                    .. pretrained is null ? Array.Empty<RunInput>() : [RunInput.OfFile("pretrained-encoder", pretrained.CheckpointPath)],
                    .. config.Teacher is null ? Array.Empty<RunInput>() : [RunInput.OfFile("teacher", Path.Combine(config.Teacher, TrainingLoop.BestFile))],
                ],
                counts),
        };
        TrainingLoop.CheckStart(start, runDirectory, options.Resume);
        Directory.CreateDirectory(runDirectory);
        IPromptTokenizer tokenizer;
        BertModel model;
        if (pretrained is not null)
        {
            // The run keeps the vocabulary beside its checkpoints, as a from-scratch run keeps its tokenizer.json.
            var vocabulary = Path.Combine(runDirectory, PretrainedEncoder.VocabularyFile);
            AtomicFile.WriteAllBytes(vocabulary, File.ReadAllBytes(Path.Combine(config.Pretrained!, PretrainedEncoder.VocabularyFile)));
            CheckVocabulary(runDirectory, vocabulary, pretrained.Tokenizer.VocabSize);
            (tokenizer, model) = (pretrained.Tokenizer, pretrained.Model);
        }
        else
        {
            var tokenizerPath = Path.Combine(runDirectory, TokenizerFile);
            var bpe = File.Exists(tokenizerPath) ? TokenizerJson.Load(tokenizerPath) : TrainTokenizer(config.World, config.TokenizerVocab, config.Target);
            CheckVocabulary(runDirectory, tokenizerPath, bpe.VocabSize);
            TokenizerJson.Save(bpe, tokenizerPath);
            (tokenizer, model) = (bpe, new BertModel(config.Model with { VocabSize = bpe.VocabSize, Pooling = BertPooling.Mean }));
        }
        var prompts = items.Prompts(world, tokenizer, boundaries.ValidationStart);
        var teacher = config.Teacher is { } teacherRun && log is FeedLog feed ? RetrievalTeacher.Load(teacherRun, start.Data.Inputs, world, feed, boundaries.ValidationStart) : null;
        var task = new RetrievalTask(config, log, prompts, model, examples, teacher, items.Truth());
        return TrainingLoop.Run(task, config.Training, start, runDirectory, options);
    }

    /// <summary>
    /// The test figures of <paramref name="config"/>'s pretrained encoder as it is, with no fine-tuning (the zero-shot
    /// reference of a fine-tuned run), beside popularity's and the truth reference's, on the same member-days and posts a trained run is tested on.
    /// </summary>
    public static IReadOnlyDictionary<string, double> EvaluatePretrained(RetrievalConfig config, IProgressReporter? progress = null)
    {
        var pretrained = config.Pretrained is { } directory ? PretrainedEncoder.Load(directory)
            : throw new ArgumentException("zero-shot evaluation needs a pretrained encoder (`pretrained` in the config, or --pretrained)");
        config = config.ResolvePretrained(pretrained.Model.Config);
        var items = ItemSide.Open(config);
        var examples = RetrievalExamples.Build(items.Log, config.Data);
        var prompts = items.Prompts(WorldSnapshot.Load(config.World), pretrained.Tokenizer, RetrievalExamples.Boundaries(items.Log, config.Data).ValidationStart);
        return new RetrievalTask(config, items.Log, prompts, pretrained.Model, examples, truth: items.Truth()).Test(progress);
    }

    /// <summary>
    /// Every item the run retrieves (posts or jobs created by <paramref name="day"/>) or every member of the world, embedded
    /// by the run's best encoder from prompts as of the start of that day (default: the day after the log's last), for an
    /// index (`lodestar index build`) or any other reader: ids, rows, and creation times in seconds (posts; 0 otherwise).
    /// </summary>
    public static RunEmbeddings Embed(string runDirectory, bool members, int? day = null, string? world = null, IProgressReporter? progress = null)
    {
        RunJson.RequireTask(runDirectory, "retrieval.*");
        var record = RunRecord<RetrievalConfig>.Read(runDirectory);
        var config = record.Config with { World = world ?? record.Config.World };
        var items = ItemSide.Open(config);
        var (model, tokenizer) = RetrievalEncoder.LoadModel(runDirectory);
        var fitBefore = record.Data.Counts.TryGetValue("validation_start_day", out var start) ? (int)start
            : throw new InvalidDataException($"{Path.Combine(runDirectory, RunFiles.Record)}: data.counts.validation_start_day is missing; the run's percentiles cannot be fitted again");
        var asOf = day ?? items.Log.LastDay + 1;
        var snapshot = WorldSnapshot.Load(config.World);
        var prompts = items.Prompts(snapshot, tokenizer, fitBefore);
        long[] ids = members ? [.. snapshot.Members.Keys.Order()] : items.Log.ItemsCreatedBy(asOf).ToArray();
        var counter = progress is null ? null : ProgressCounter.Start(progress, members ? "members" : "items", ids.Length);
        var tokens = ids.Select(id =>
        {
            counter?.Advance();
            return members ? prompts.MemberTokens(id, asOf) : prompts.ItemTokens(id, asOf);
        }).ToList();
        var vectors = new PromptEmbedder(model).Embed(tokens);
        long[] created = [.. ids.Select(id => !members && items.Log is FeedLog feed ? feed.Posts[id].Time : 0)];
        return new RunEmbeddings(ids, vectors, created, model.Config.Channels, asOf);
    }

    /// <summary>A byte-level BPE vocabulary learned from the world's member records and the records of what is retrieved
    /// (posts or jobs), with the prompt markers added.</summary>
    public static BpeTokenizer TrainTokenizer(string world, int vocabSize, RetrievalTarget target = RetrievalTarget.Posts)
    {
        var trainer = new BpeTrainer(new BpeTrainerConfig { VocabSize = vocabSize, AddedTokens = PromptVocabulary.AddedTokens(PromptLibrary.LoadBuiltIn()) });
        trainer.AddFile(Path.Combine(world, DataFiles.Members));
        trainer.AddFile(Path.Combine(world, target == RetrievalTarget.Jobs ? DataFiles.Jobs : DataFiles.Posts));
        return trainer.Train();
    }

    /// <summary>What a config retrieves: its log, the files and counts the run records, its prompts, and the world's truth reference.</summary>
    private sealed record ItemSide(IRetrievalLog Log, IReadOnlyList<RunInput> Inputs, IReadOnlyDictionary<string, long> Counts,
        Func<WorldSnapshot, IPromptTokenizer, int, IRetrievalPrompts> Prompts, Func<TruthReference?> Truth)
    {
        public static ItemSide Open(RetrievalConfig config)
        {
            var k = Evaluation.Retrieval.RetrievalMetrics.RecallCutoffs.Max();
            if (config.Target == RetrievalTarget.Jobs)
            {
                var jobs = JobLog.Load(config.World);
                return new ItemSide(jobs,
                    [RunInput.OfFile("jobs", Path.Combine(config.World, DataFiles.Jobs)), RunInput.OfFile("job-events", Path.Combine(config.World, DataFiles.JobEvents))],
                    new Dictionary<string, long> { ["jobs"] = jobs.Jobs.Count, ["job_events"] = jobs.Events },
                    (world, tokenizer, fitBefore) => config.JobPrompts(world, jobs, tokenizer, fitBefore),
                    () =>
                    {
                        // Every job posted by the day ranked by its true match with the member (MatchOracle: the quality applies follow).
                        if (!File.Exists(Path.Combine(config.World, DataFiles.GroundTruthDirectory, TruthFiles.JobMatches)))
                        {
                            return null;
                        }
                        var match = MatchOracle.Open(config.World);
                        return new TruthReference(RetrievalTask.MatchTarget, IsUpperBound: false,
                            (day, open) => example => RetrievalTask.TopK(open, [.. open.Select(j => match.Match(example.MemberId, j).Overall)], k));
                    });
            }
            var feed = FeedLog.Load(config.World);
            return new ItemSide(feed,
                [RunInput.OfFile("posts", Path.Combine(config.World, DataFiles.Posts)), RunInput.OfFile("feed-impressions", Path.Combine(config.World, DataFiles.FeedImpressions))],
                new Dictionary<string, long> { ["posts"] = feed.Posts.Count, ["impressions"] = feed.Impressions },
                (world, tokenizer, fitBefore) => config.Prompts(world, feed, tokenizer, fitBefore),
                // The oracle gives each member the posts the world could show that day (live ones: nothing else can be engaged
                // with) ranked by their true relevance to that member (FeedRelevance.Merit).
                () => FeedRelevance.OpenIfGenerated(config.World) is not { } relevance ? null : new TruthReference(RetrievalTask.OracleTarget, IsUpperBound: true,
                    (day, alive) =>
                    {
                        var live = alive.Where(p => relevance.IsLive(feed.Posts[p], day)).ToArray();
                        return example => RetrievalTask.TopK(live, [.. live.Select(p => (float)relevance.Merit(example.MemberId, p, day))], k);
                    }));
        }
    }

    /// <summary>A checkpoint already in the run must read the tokenizer's vocabulary: else the run's files were mixed.</summary>
    private static void CheckVocabulary(string runDirectory, string tokenizerPath, int vocabSize)
    {
        foreach (var file in new[] { TrainingLoop.LastFile, TrainingLoop.BestFile })
        {
            var path = Path.Combine(runDirectory, file);
            if (!File.Exists(path))
            {
                continue;
            }
            var model = System.Text.Json.JsonSerializer.Deserialize<Models.Bert.BertConfig>(Nn.ModelCheckpoint.ReadHeader(path).ConfigJson, Nn.ModelCheckpoint.Json);
            if (model is not null && model.VocabSize != vocabSize)
            {
                throw new InvalidDataException($"{tokenizerPath}: {vocabSize} tokens, but {path} was trained on a vocabulary of {model.VocabSize}; the run's tokenizer and checkpoints must belong together");
            }
        }
    }
}
