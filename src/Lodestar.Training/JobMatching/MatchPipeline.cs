// Prepares what every match run shares: the tokenizer learned from the world (cached in the runs
// directory), the compiled policy and the tokenized data set.
using Lodestar.Policy;
using Lodestar.Text.Tokenization;

namespace Lodestar.Training.JobMatching;

public static class MatchPipeline
{
    public static MatchDataSet Prepare(MatchTrainingConfig config)
    {
        config.Validate();
        var policy = PolicyLoader.LoadJobPolicy(config.Policy);
        var tokenizerPath = Path.Combine(config.RunsDirectory, $"tokenizer-{config.TokenizerVocab}.json");
        BpeTokenizer tokenizer;
        if (File.Exists(tokenizerPath))
        {
            tokenizer = TokenizerJson.Load(tokenizerPath);
        }
        else
        {
            tokenizer = MatchDataBuilder.TrainTokenizer(config.World, config.TokenizerVocab);
            Directory.CreateDirectory(config.RunsDirectory);
            TokenizerJson.Save(tokenizer, tokenizerPath);
        }
        return MatchDataBuilder.Build(config.World, policy, tokenizer, config.Model.MaxTokens, config.Data);
    }
}
