// One sequential-recommendation case: a history and the item that came next, what the evaluator ranks a
// recommender on and what leave-one-out splits are made of.
namespace Lodestar.Models;

/// <summary>One user's case: the model reads <see cref="History"/> (oldest first) and must rank
/// <see cref="Target"/>, the next item. Item ids are 1..ItemCount.</summary>
public readonly record struct RankingCase(int User, ReadOnlyMemory<int> History, int Target);
