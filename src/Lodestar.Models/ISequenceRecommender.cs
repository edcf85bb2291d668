// What every sequential recommender offers the evaluator and the serving path: scores over the whole
// item vocabulary for a batch of histories, so baselines and transformers are ranked by the same code.
namespace Lodestar.Models;

public interface ISequenceRecommender
{
    /// <summary>Number of real items; ids are 1..ItemCount and 0 is padding.</summary>
    int ItemCount { get; }

    /// <summary>
    /// Scores every item as the next one for each history. histories is (B) sequences, oldest item first;
    /// scores is (B, ItemCount + 1) row-major, column 0 (padding) left unspecified. Thread-safe.
    /// </summary>
    void ScoreBatch(ReadOnlySpan<ReadOnlyMemory<int>> histories, Span<float> scores);
}
