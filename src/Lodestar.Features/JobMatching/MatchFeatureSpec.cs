// What turns a member–job pair into the inputs a trained match model read, kept in its run directory beside
// the checkpoint (features.json and tokenizer.json), so scoring with the model later builds the same prompts
// from the same world with the same tokenizer and history depth, without the trainer or its config.
using System.Text.Json;
using Lodestar.Core;
using Lodestar.Nn;
using Lodestar.Policy;
using Lodestar.Text.Tokenization;

namespace Lodestar.Features.JobMatching;

/// <param name="World">The world directory, relative to the run directory when it was written.</param>
/// <param name="Data">The data config the examples were built with (history depth, engagement counters, split).</param>
/// <param name="Policy">The policy whose dimensions the model's heads score: an embedded default's name or a file's full path.</param>
public sealed record MatchFeatureSpec(string World, MatchDataConfig Data, string Policy = PolicyLoader.JobMatching)
{
    public const string FileName = "features.json";
    public const string TokenizerFile = "tokenizer.json";

    /// <summary>
    /// Writes the spec and the tokenizer into <paramref name="runDirectory"/>, atomically, the world path relative to it; a
    /// policy given as a file is written as its full path.
    /// </summary>
    public static void Write(string runDirectory, string worldDirectory, MatchDataConfig data, BpeTokenizer tokenizer, string policy = PolicyLoader.JobMatching)
    {
        Directory.CreateDirectory(runDirectory);
        var world = Path.GetRelativePath(Path.GetFullPath(runDirectory), Path.GetFullPath(worldDirectory));
        var policyReference = File.Exists(policy) ? Path.GetFullPath(policy) : policy;
        AtomicFile.WriteAllText(Path.Combine(runDirectory, FileName), JsonSerializer.Serialize(new MatchFeatureSpec(world, data, policyReference), ModelCheckpoint.Json));
        TokenizerJson.Save(tokenizer, Path.Combine(runDirectory, TokenizerFile));
    }

    /// <summary>The spec of a run directory, with a clear error when the run has none.</summary>
    public static MatchFeatureSpec Read(string runDirectory)
    {
        var path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: the run has no feature spec (train it with this version of Lodestar)", path);
        }
        var spec = JsonSerializer.Deserialize<MatchFeatureSpec>(File.ReadAllText(path), ModelCheckpoint.Json)
            ?? throw new InvalidDataException($"{path}: feature spec is null");
        spec.Data.Validate();
        return spec;
    }

    /// <summary>The prompts of the run's world (or <paramref name="otherWorld"/>) and tokenizer, cut to <paramref name="maxTokens"/> (the model's T).</summary>
    public static MatchPrompts OpenPrompts(string runDirectory, int maxTokens, string? otherWorld = null)
    {
        var spec = Read(runDirectory);
        var world = Path.GetFullPath(otherWorld ?? Path.Combine(runDirectory, spec.World));
        if (!Directory.Exists(world))
        {
            throw new DirectoryNotFoundException($"{Path.Combine(runDirectory, FileName)}: its world {world} is not there");
        }
        var tokenizer = TokenizerJson.Load(Path.Combine(runDirectory, TokenizerFile));
        return MatchPrompts.Open(world, tokenizer, maxTokens, spec.Data);
    }
}
