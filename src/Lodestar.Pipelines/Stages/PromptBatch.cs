// The prompt stage's work on one batch of events, whatever holds its state: each event parsed, checked against the
// state (a reason sends it to the dead letters), entered in the ledger (a redelivery is skipped) and applied; then
// every member and post the batch touched rendered again, and a prompt whose text changed stored with the next
// version and queued for embedding. The caller commits the sink's writes and the advance of its input together.
using Lodestar.Data.Schema;
using Lodestar.Features.Retrieval;
using Lodestar.Pipelines.Events;
using Lodestar.Pipelines.Store;
using Lodestar.Text.Prompts;

namespace Lodestar.Pipelines.Stages;

/// <summary>Where a prompt stage's effects go: the state it mirrors, the ledger, dead letters, new prompt versions.</summary>
internal interface IPromptSink
{
    /// <summary>Enters the id in the ledger; false when it was there already (a redelivery).</summary>
    bool MarkApplied(string id);

    void DeadLetter(string position, string line, string reason);

    void Member(Member member);

    void Post(Post post, bool deleted);

    /// <summary>A deleted post leaves the prompt and embedding stores and the index.</summary>
    void RemovePost(long post);

    void Counts(long post, PostStats counts);

    /// <param name="listed">Whether the member's prompt lists it (the history mode's items), the ones the state keeps in memory.</param>
    void History(HistoryEntry entry, bool listed);

    void Prompt(EntityKey key, int version, long created, PromptTouch touch, string text, int[] tokens);
}

/// <summary>Why an entity's prompt is rendered again: whether it is new, the earliest ingestion among its causes in the
/// batch and that cause's kind, and the day to render it as of.</summary>
internal sealed record PromptTouch(bool IsNew, long SourceMicros, string Cause, int Day);

internal static class PromptBatch
{
    /// <summary>Applies the events (position for dead letters, ingestion time in µs, the line); returns the prompt changes written.</summary>
    public static int Apply(NearlineState state, RetrievalPrompts prompts, IReadOnlyList<(string Position, long Ingested, string Line)> events, IPromptSink sink,
        StageCounters counters)
    {
        var touched = new Dictionary<EntityKey, PromptTouch>();
        foreach (var (position, ingested, line) in events)
        {
            var evt = NearlineEvent.TryParse(line, out var error);
            var reason = evt is null ? error : state.Check(evt);
            if (reason is not null)
            {
                sink.DeadLetter(position, line, reason);
                counters.Rejected++;
                continue;
            }
            if (!sink.MarkApplied(evt!.Id))
            {
                counters.Duplicates++;
                continue;
            }
            foreach (var (key, isNew) in state.Apply(evt, sink))
            {
                touched[key] = touched.TryGetValue(key, out var before)
                    ? before with { IsNew = before.IsNew || isNew, Day = Math.Max(before.Day, evt.Day) }
                    : new PromptTouch(isNew, ingested, NearlineEvent.KindName(evt.Kind), evt.Day);
            }
            counters.Applied++;
        }
        var changes = 0;
        foreach (var (key, touch) in touched)
        {
            if (Render(state, prompts, key, touch) is { } rendered && NearlineState.HashOf(rendered.Text) is var hash
                && (!state.Prompts.TryGetValue(key, out var stored) || stored.TextHash != hash))
            {
                var version = stored.Version + 1;
                state.Prompts[key] = (version, hash);
                var created = key.Kind == EntityKind.Post ? state.Posts[key.Id].Time : 0;
                sink.Prompt(key, version, created, touch, rendered.Text, prompts.Encode(rendered));
                changes++;
            }
        }
        counters.Batches++;
        counters.Changes += changes;
        return changes;
    }

    private static RenderedPrompt? Render(NearlineState state, RetrievalPrompts prompts, EntityKey key, PromptTouch touch)
    {
        if (key.Kind == EntityKind.Post)
        {
            return state.Posts.TryGetValue(key.Id, out var post) && !state.Deleted.Contains(key.Id)
                ? prompts.Post(post, state.Counts.GetValueOrDefault(key.Id) ?? PostStats.None, touch.Day)
                : null;
        }
        var history = state.History.GetValueOrDefault(key.Id) ?? [];
        var items = new List<HistoryItem>(history.Count);
        foreach (var item in history)
        {
            items.Add(new HistoryItem(item.Impression, item.Time, item.Post, state.Posts[item.Post].Text, HistoryActions.Names(item.Actions), HistoryActions.Skipped(item.Actions)));
        }
        return prompts.Member(state.Members[key.Id], items, touch.Day);
    }
}
