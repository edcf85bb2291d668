// Trains a feed-retrieval dual encoder end to end: the world's feed log becomes examples split by day, prompts render
// members and posts as of each day (in a BPE vocabulary learned from the world's records, or in a pretrained
// encoder's WordPiece), and the one training loop fits the shared encoder (from scratch, or fine-tuning the
// pretrained one), writing the common run directory.
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
        var log = FeedLog.Load(config.World);
        var examples = RetrievalExamples.Build(log, config.Data);
        var boundaries = RetrievalExamples.Boundaries(log, config.Data);
        var start = new RunRecord<RetrievalConfig>
        {
            Task = "retrieval.dual-encoder",
            Status = RunStatus.Running,
            Config = config,
            Selection = new SelectionMetric(Evaluation.MetricNames.Recall(100), HigherIsBetter: true),
            Data = new RunData(
                [
                    RunInput.OfFile("posts", Path.Combine(config.World, DataFiles.Posts)),
                    RunInput.OfFile("feed-impressions", Path.Combine(config.World, DataFiles.FeedImpressions)),
                    .. pretrained is null ? Array.Empty<RunInput>() : [RunInput.OfFile("pretrained-encoder", pretrained.CheckpointPath)],
                    .. config.Teacher is null ? Array.Empty<RunInput>() : [RunInput.OfFile("teacher", Path.Combine(config.Teacher, TrainingLoop.BestFile))],
                ],
                new Dictionary<string, long>
                {
                    ["posts"] = log.Posts.Count,
                    ["impressions"] = log.Impressions,
                    ["train_member_days"] = examples.Count(e => e.Split == RetrievalSplit.Train),
                    ["validation_member_days"] = examples.Count(e => e.Split == RetrievalSplit.Validation),
                    ["test_member_days"] = examples.Count(e => e.Split == RetrievalSplit.Test),
                    ["validation_start_day"] = boundaries.ValidationStart,
                    ["test_start_day"] = boundaries.TestStart,
                }),
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
            var bpe = File.Exists(tokenizerPath) ? TokenizerJson.Load(tokenizerPath) : TrainTokenizer(config.World, config.TokenizerVocab);
            CheckVocabulary(runDirectory, tokenizerPath, bpe.VocabSize);
            TokenizerJson.Save(bpe, tokenizerPath);
            (tokenizer, model) = (bpe, new BertModel(config.Model with { VocabSize = bpe.VocabSize, Pooling = BertPooling.Mean }));
        }
        var world = WorldSnapshot.Load(config.World);
        var prompts = config.Prompts(world, log, tokenizer, boundaries.ValidationStart);
        var teacher = config.Teacher is { } teacherRun ? RetrievalTeacher.Load(teacherRun, start.Data.Inputs, world, log, boundaries.ValidationStart) : null;
        var task = new RetrievalTask(config, log, prompts, model, examples, teacher, FeedOracle(config.World, log));
        return TrainingLoop.Run(task, config.Training, start, runDirectory, options);
    }

    /// <summary>
    /// The test figures of <paramref name="config"/>'s pretrained encoder as it is, with no fine-tuning (the zero-shot
    /// reference of a fine-tuned run), beside popularity's and the oracle's, on the same member-days and posts a trained run is tested on.
    /// </summary>
    public static IReadOnlyDictionary<string, double> EvaluatePretrained(RetrievalConfig config, IProgressReporter? progress = null)
    {
        var pretrained = config.Pretrained is { } directory ? PretrainedEncoder.Load(directory)
            : throw new ArgumentException("zero-shot evaluation needs a pretrained encoder (`pretrained` in the config, or --pretrained)");
        config = config.ResolvePretrained(pretrained.Model.Config);
        var log = FeedLog.Load(config.World);
        var examples = RetrievalExamples.Build(log, config.Data);
        var prompts = config.Prompts(WorldSnapshot.Load(config.World), log, pretrained.Tokenizer, RetrievalExamples.Boundaries(log, config.Data).ValidationStart);
        return new RetrievalTask(config, log, prompts, pretrained.Model, examples, oracle: FeedOracle(config.World, log)).Test(progress);
    }

    /// <summary>In a generated world, the oracle: each member gets the posts the world could show that day (live ones: nothing
    /// else can be engaged with) ranked by their true relevance to that member (FeedRelevance.Merit); null for a log without truth.</summary>
    public static Func<int, long[], Func<RetrievalExample, long[]>>? FeedOracle(string world, FeedLog log)
    {
        if (FeedRelevance.OpenIfGenerated(world) is not { } relevance)
        {
            return null;
        }
        var k = Evaluation.Retrieval.RetrievalMetrics.RecallCutoffs.Max();
        return (day, alive) =>
        {
            var live = alive.Where(p => relevance.IsLive(log.Posts[p], day)).ToArray();
            return example => RetrievalTask.TopK(live, [.. live.Select(p => (float)relevance.Merit(example.MemberId, p, day))], k);
        };
    }

    /// <summary>A byte-level BPE vocabulary learned from the world's member and post records, with the prompt markers added.</summary>
    public static BpeTokenizer TrainTokenizer(string world, int vocabSize)
    {
        var trainer = new BpeTrainer(new BpeTrainerConfig { VocabSize = vocabSize, AddedTokens = PromptVocabulary.AddedTokens(PromptLibrary.LoadBuiltIn()) });
        trainer.AddFile(Path.Combine(world, DataFiles.Members));
        trainer.AddFile(Path.Combine(world, DataFiles.Posts));
        return trainer.Train();
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
