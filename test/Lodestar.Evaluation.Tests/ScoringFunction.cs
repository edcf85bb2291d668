// A sequence recommender made of a plain scoring function, so the evaluator's tests can state exact scores.
using Lodestar.Models;

namespace Lodestar.Evaluation.Tests;

/// <summary>Scores (B, ItemCount + 1) row-major for B histories, as <see cref="ISequenceRecommender.ScoreBatch"/>.</summary>
public delegate void ScoreFunction(ReadOnlySpan<ReadOnlyMemory<int>> histories, Span<float> scores);

public sealed class ScoringFunction(int itemCount, ScoreFunction score) : ISequenceRecommender
{
    public int ItemCount => itemCount;

    public void ScoreBatch(ReadOnlySpan<ReadOnlyMemory<int>> histories, Span<float> scores) => score(histories, scores);
}
