// A trained feed-retrieval run as its readers need it: the shared encoder's best checkpoint, the vocabulary it reads
// (the run's own BPE tokenizer.json, or a pretrained encoder's vocab.txt), and the prompt settings it was trained
// with, read from the run record, so the nearline pipeline and serving render and embed exactly as training did.
using System.Text.Json;
using Lodestar.Core;
using Lodestar.Features.Encoders;
using Lodestar.Models.Bert;
using Lodestar.Text.Prompts;
using Lodestar.Text.Tokenization;

namespace Lodestar.Features.Retrieval;

/// <summary>How a run renders its prompts.</summary>
/// <param name="FitBefore">The day before which the post percentiles were fitted (the run's first validation day).</param>
public sealed record RetrievalPromptSettings(string World, CountFormat Counts, HistoryMode History, int MemberTokens, int PostTokens, int FitBefore)
{
    public RetrievalPrompts Prompts(WorldSnapshot world, FeedLog log, IPromptTokenizer tokenizer) =>
        new(world, log, PromptLibrary.LoadBuiltIn(), tokenizer, FitBefore, Counts, History, MemberTokens, PostTokens);
}

public sealed record RetrievalEncoder(BertModel Model, IPromptTokenizer Tokenizer, RetrievalPromptSettings Settings, string CheckpointPath)
{
    /// <summary>The byte-level BPE vocabulary a from-scratch run learns from its world and keeps beside its checkpoints.</summary>
    public const string TokenizerFile = "tokenizer.json";

    /// <summary>Reads the run in <paramref name="runDirectory"/>: its record, best checkpoint and vocabulary.</summary>
    public static RetrievalEncoder Load(string runDirectory)
    {
        var recordPath = Path.Combine(runDirectory, RunFiles.Record);
        var checkpoint = Path.Combine(runDirectory, RunFiles.Best);
        foreach (var file in new[] { recordPath, checkpoint })
        {
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"{file}: not found; a feed-retrieval run directory holds {RunFiles.Record} and {RunFiles.Best} (`lodestar retrieval train`)", file);
            }
        }
        var settings = ReadSettings(recordPath);
        var (model, tokenizer) = LoadModel(runDirectory);
        return new RetrievalEncoder(model, tokenizer, settings, checkpoint);
    }

    /// <summary>A retrieval run's best encoder (in evaluation mode) and the vocabulary it reads, checked to belong together.</summary>
    public static (BertModel Model, IPromptTokenizer Tokenizer) LoadModel(string runDirectory)
    {
        var checkpoint = Path.Combine(runDirectory, RunFiles.Best);
        var bpe = Path.Combine(runDirectory, TokenizerFile);
        var wordPiece = Path.Combine(runDirectory, PretrainedEncoder.VocabularyFile);
        IPromptTokenizer tokenizer = File.Exists(bpe) ? TokenizerJson.Load(bpe)
            : File.Exists(wordPiece) ? BertWordPiece.Load(wordPiece)
            : throw new FileNotFoundException($"{runDirectory}: neither {TokenizerFile} nor {PretrainedEncoder.VocabularyFile}; the run's vocabulary is missing", bpe);
        var model = BertModel.Load(checkpoint);
        if (tokenizer.VocabSize != model.Config.VocabSize)
        {
            throw new InvalidDataException($"{runDirectory}: the vocabulary holds {tokenizer.VocabSize} tokens, but {checkpoint} embeds {model.Config.VocabSize}; the run's files were mixed");
        }
        model.Eval();
        return (model, tokenizer);
    }

    private static RetrievalPromptSettings ReadSettings(string recordPath)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(recordPath));
        var root = document.RootElement;
        var task = root.TryGetProperty("task", out var taskValue) ? taskValue.GetString() : null;
        if (task != "retrieval.dual-encoder")
        {
            throw new InvalidDataException($"{recordPath}: task \"{task}\", not a feed-retrieval run (retrieval.dual-encoder)");
        }
        var config = Field(root, "config", recordPath);
        var counts = Field(Field(root, "data", recordPath), "counts", recordPath);
        return new RetrievalPromptSettings(
            Field(config, "world", recordPath).GetString()!,
            Field(config, "counts", recordPath).GetString() == "raw" ? CountFormat.Raw : CountFormat.Percentile,
            Field(config, "history", recordPath).GetString() == "all" ? HistoryMode.All : HistoryMode.Positives,
            Field(config, "member_tokens", recordPath).GetInt32(),
            Field(config, "post_tokens", recordPath).GetInt32(),
            Field(counts, "validation_start_day", recordPath).GetInt32());
    }

    private static JsonElement Field(JsonElement parent, string name, string path) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) ? value
            : throw new InvalidDataException($"{path}: field \"{name}\" is missing; the run record was not written by a feed-retrieval run");
}
