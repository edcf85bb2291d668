// A sequence recommender made of a plain function: a hand-written rule, or a test that states exact scores.
namespace Lodestar.Models;

/// <summary>Scores (B, ItemCount + 1) row-major for B histories, as <see cref="ISequenceRecommender.ScoreBatch"/>.</summary>
public delegate void ScoreFunction(ReadOnlySpan<ReadOnlyMemory<int>> histories, Span<float> scores);

public sealed class ScoringFunction(int itemCount, ScoreFunction score) : ISequenceRecommender
{
    public int ItemCount => itemCount;

    public void ScoreBatch(ReadOnlySpan<ReadOnlyMemory<int>> histories, Span<float> scores) => score(histories, scores);
}
