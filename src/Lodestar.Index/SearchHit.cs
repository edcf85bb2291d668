// One result of a nearest-neighbour search: the item's id and its cosine similarity to the query.
namespace Lodestar.Index;

public readonly record struct SearchHit(long Id, float Score)
{
    /// <summary>
    /// The one order of results: higher score first, and between equal scores the lower id first, so a search
    /// gives the same list every time whatever the thread split.
    /// </summary>
    public static bool Precedes(float score, long id, float otherScore, long otherId) =>
        score > otherScore || (score == otherScore && id < otherId);
}
