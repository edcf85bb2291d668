// Prepares what every match run shares: the tokenizer learned from the world (cached in the runs
// directory), the compiled policy and the tokenized data set; and the same pairs as a given run saw them.
using Lodestar.Policy;
using Lodestar.Text.Tokenization;
using Lodestar.Features.JobMatching;
using Lodestar.Training.Loop;

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

    private static readonly Lock s_memoLock = new();
    private static (string Key, MatchDataSet Data)? s_memo;

    /// <summary>
    /// The examples of <paramref name="data"/> as the run was trained on them: data itself when the run's data config
    /// and token budget match, else the same pairs rebuilt from the same world and tokenizer under the run's config
    /// (a click teacher reading engagement counters the student does not). One rebuild is kept for reuse.
    /// </summary>
    public static MatchDataSet ForRun(MatchDataSet data, string runDirectory)
    {
        var run = MatchInference.ReadConfig(runDirectory);
        return For(data, run.Data, run.Model.MaxTokens, runDirectory);
    }

    /// <summary>The pairs of <paramref name="data"/> under another data config and token budget (see ForRun); origin names who asks, for errors.</summary>
    public static MatchDataSet For(MatchDataSet data, MatchDataConfig config, int maxTokens, string origin)
    {
        if (config == data.Config && maxTokens == data.MaxTokens)
        {
            return data;
        }
        var key = $"{data.ContentHash}|{System.Text.Json.JsonSerializer.Serialize(config, RunJson.Options)}|{maxTokens}";
        lock (s_memoLock)
        {
            if (s_memo is { } memo && memo.Key == key)
            {
                return memo.Data;
            }
        }
        var tokenizer = data.Tokenizer ?? throw new InvalidOperationException($"{origin}: the run was trained under another data config, and the data set carries no tokenizer to rebuild it with");
        var rebuilt = MatchDataBuilder.Build(data.WorldDirectory, data.Policy, tokenizer, maxTokens, config);
        if (rebuilt.Examples.Count != data.Examples.Count)
        {
            throw new InvalidDataException($"{origin}: its data config gives {rebuilt.Examples.Count} examples, the evaluated data set has {data.Examples.Count}; the pairs must be the same");
        }
        for (var i = 0; i < data.Examples.Count; i++)
        {
            var (a, b) = (data.Examples[i], rebuilt.Examples[i]);
            if (a.MemberId != b.MemberId || a.JobId != b.JobId || a.Split != b.Split)
            {
                throw new InvalidDataException($"{origin}: example {i} is member {b.MemberId}, job {b.JobId} ({b.Split}) under the run's data config but member {a.MemberId}, job {a.JobId} ({a.Split}) in the evaluated data set; the pairs and splits must be the same");
            }
        }
        lock (s_memoLock)
        {
            s_memo = (key, rebuilt);
        }
        return rebuilt;
    }
}
