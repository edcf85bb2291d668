// The positives-only history bench on a small generated world: both styles train on the same member-days, a member's
// engaged posts are a part of its impressions so its prompt is never longer, the derived figures follow from the
// measured ones, and a world too small for the rounds asked is refused by name.
using Lodestar.Data.Generation;
using Lodestar.Data.Vocabularies;
using Lodestar.Models.Bert;
using Lodestar.Training.Retrieval;

namespace Lodestar.Bench.Tests;

public sealed class RetrievalHistoryBenchTests : IDisposable
{
    private readonly string _world = Directory.CreateTempSubdirectory("lodestar-history-bench-").FullName;

    public RetrievalHistoryBenchTests() =>
        WorldGenerator.Generate(new WorldConfig { Members = 300, Days = 12, Seed = 5, MatchSamplePairs = 50, Threads = 1 }, BuiltInVocabulary.Create(), _world);

    public void Dispose() => Directory.Delete(_world, recursive: true);

    private RetrievalConfig Small => new()
    {
        World = _world,
        TokenizerVocab = 512,
        MemberTokens = 96,
        PostTokens = 32,
        Model = new BertConfig { Channels = 32, Heads = 2, FeedForward = 64, Layers = 1, MaxPositions = 96, Dropout = 0f },
        Training = RetrievalConfig.DefaultTraining with { BatchSize = 8 },
    };

    [Fact]
    public void APositivesOnlyPromptIsNeverLongerAndTheDerivedFiguresFollowFromTheMeasuredOnes()
    {
        var result = RetrievalHistoryBench.Run(Small, tokenizerPath: null, rounds: 2, threads: 1);
        Assert.Equal(["positives", "all"], result.Styles.Select(s => s.History));
        var (positives, all) = (result.Styles[0], result.Styles[1]);
        Assert.True(positives.MeanMemberTokens < all.MeanMemberTokens, $"{positives.MeanMemberTokens} vs {all.MeanMemberTokens} tokens");
        Assert.True(positives.MeanPaddedTokens <= all.MeanPaddedTokens);
        Assert.True(positives.MemberBytesPerSequence > 0 && positives.MemberBytesPerSequence <= all.MemberBytesPerSequence);
        Assert.True(positives.StepBytes <= all.StepBytes && positives.MedianStepMs > 0 && all.MedianStepMs > 0);
        Assert.Equal(1 - (positives.MemberBytesPerSequence / all.MemberBytesPerSequence), result.MemberBytesSaved, 12);
        Assert.Equal((int)Math.Floor(8 * all.StepBytes / positives.StepBytes), result.SequencesPerBatchAtBudget);
        Assert.True(result.SequencesPerBatchAtBudget >= 8);
        Assert.Equal(all.MedianStepMs / positives.MedianStepMs, result.StepSpeedup, 12);

        var error = Assert.Throws<ArgumentException>(() => RetrievalHistoryBench.Run(Small, tokenizerPath: null, rounds: 100_000, threads: 1));
        Assert.Contains(_world, error.Message, StringComparison.Ordinal);
        Assert.Contains("full batches", error.Message, StringComparison.Ordinal);
    }
}
