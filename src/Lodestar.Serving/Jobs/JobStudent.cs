// The job-matching model a server scores candidates with: a match run directory (the distilled student) with its
// checkpoint, the tokenizer and feature spec written beside it, and the policy whose dimensions its heads score.
using Lodestar.Core;
using Lodestar.Data.Schema;
using Lodestar.Features.JobMatching;
using Lodestar.Models.JobMatching;
using Lodestar.Policy;
using Lodestar.Text.Tokenization;

namespace Lodestar.Serving.Jobs;

public sealed record JobStudent(MatchModel Model, BpeTokenizer Tokenizer, MatchFeatureSpec Spec, CompiledPolicy<Member, Job> Policy, string Directory)
{
    /// <summary>
    /// Reads a match run directory: best.safetensors, tokenizer.json, features.json and the policy it names, and checks the
    /// model's heads against the policy's dimensions (a model trained under another policy would be misread).
    /// </summary>
    public static JobStudent Load(string directory)
    {
        var checkpoint = Path.Combine(directory, RunFiles.Best);
        if (!File.Exists(checkpoint))
        {
            throw new FileNotFoundException($"{checkpoint}: not found; {ModelFolders.JobStudent}/ must be a job-matching run directory (`lodestar match train student`)", checkpoint);
        }
        var model = MatchModel.Load(checkpoint);
        var spec = MatchFeatureSpec.Read(directory);
        var tokenizer = TokenizerJson.Load(Path.Combine(directory, MatchFeatureSpec.TokenizerFile));
        if (tokenizer.VocabSize != model.Spec.VocabSize)
        {
            throw new InvalidDataException($"{Path.Combine(directory, MatchFeatureSpec.TokenizerFile)}: {tokenizer.VocabSize} tokens, the model in {checkpoint} reads {model.Spec.VocabSize}");
        }
        var policy = PolicyLoader.LoadJobPolicy(spec.Policy);
        var levels = MatchDataBuilder.LayoutOf(policy.Document).DimensionLevels;
        if (!levels.SequenceEqual(model.Layout.DimensionLevels))
        {
            throw new InvalidDataException($"{checkpoint}: scores {model.Layout.DimensionLevels.Count} dimensions of [{string.Join(", ", model.Layout.DimensionLevels)}] levels, " +
                $"the policy {spec.Policy} has {levels.Count} of [{string.Join(", ", levels)}]");
        }
        return new JobStudent(model, tokenizer, spec, policy, directory);
    }
}
