// Posts as the ranker and the answers read them, cached on first use: a post's body never changes after it is
// created (only its counters and its deletion do, and those are read fresh), so one store read per post suffices.
using System.Collections.Concurrent;
using Lodestar.Data.Schema;
using Lodestar.Features.FeedRanking;
using Lodestar.Models.FeedRanking;
using Lodestar.Pipelines.Store;

namespace Lodestar.Serving.Feed;

/// <summary>A post and its ranker tokens.</summary>
public sealed record CatalogPost(Post Post, RankedPost Ranked);

public sealed class PostCatalog(INearlineReader reader)
{
    private readonly ConcurrentDictionary<long, CatalogPost> _posts = new();

    /// <summary>The post, or null when the store has never held it.</summary>
    public CatalogPost? Find(long id)
    {
        if (_posts.TryGetValue(id, out var cached))
        {
            return cached;
        }
        return reader.Post(id) is { } stored ? Remember(stored.Post) : null;
    }

    /// <summary>The catalog's entry for a post just read from the store (the cached one when there is one).</summary>
    public CatalogPost Remember(Post post) => _posts.GetOrAdd(post.Id, _ => new CatalogPost(post, FeedRankingFeatures.Ranked(post)));

    /// <summary>
    /// The posts of <paramref name="ids"/> in their order, the ones not cached yet read by one statement; throws naming a
    /// post the store does not hold (the caller knows it does: it was shown or indexed).
    /// </summary>
    public CatalogPost[] GetMany(ReadOnlySpan<long> ids)
    {
        var result = new CatalogPost[ids.Length];
        List<long>? missing = null;
        for (var i = 0; i < ids.Length; i++)
        {
            if (_posts.TryGetValue(ids[i], out var cached))
            {
                result[i] = cached;
            }
            else
            {
                (missing ??= []).Add(ids[i]);
            }
        }
        if (missing is null)
        {
            return result;
        }
        foreach (var stored in reader.Posts(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(missing)))
        {
            Remember(stored.Post);
        }
        for (var i = 0; i < ids.Length; i++)
        {
            result[i] ??= Get(ids[i]);
        }
        return result;
    }

    /// <summary>The post, which the caller knows the store holds (it was shown or indexed); throws naming it otherwise.</summary>
    public CatalogPost Get(long id) => Find(id) ?? throw new InvalidDataException($"post {id} is referenced by the store's history or index but not among its posts");
}
