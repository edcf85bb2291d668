// What the two sides of every retrieval prompt set share: templates from the prompt library cut to the config's token
// budgets, a renderer per day (recency such as "posted 3 days ago" is measured from the prompt's day), token ids framed
// as the tokenizer's models expect, and counts of how many prompts of each side the budgets cut.
using Lodestar.Text.Prompts;
using Lodestar.Text.Tokenization;

namespace Lodestar.Features.Retrieval;

public abstract class TemplatePrompts(IPromptTokenizer tokenizer) : IRetrievalPrompts
{
    private readonly Dictionary<int, PromptRenderer> _renderers = [];
    private long _members;
    private long _membersCut;
    private long _items;
    private long _itemsCut;

    public (long Members, long MembersCut, long Items, long ItemsCut) PromptCounts =>
        (Interlocked.Read(ref _members), Interlocked.Read(ref _membersCut), Interlocked.Read(ref _items), Interlocked.Read(ref _itemsCut));

    public void ResetCounts() => (_members, _membersCut, _items, _itemsCut) = (0, 0, 0, 0);

    public abstract int[] MemberTokens(long member, int day);

    public abstract int[] ItemTokens(long item, int day);

    /// <summary>Token ids of a rendered prompt as the encoder reads them: at most its template's budget, framed as the tokenizer's models expect.</summary>
    public int[] Encode(RenderedPrompt prompt)
    {
        var ids = tokenizer.Encode(prompt.Text);
        return tokenizer.Frame(ids.AsSpan(0, Math.Min(ids.Length, prompt.Budget)));
    }

    /// <summary>Renders a member-side prompt as of the start of <paramref name="day"/> and counts it.</summary>
    protected RenderedPrompt RenderMember(LibraryEntry entry, PromptSubject subject, int day, HistoryMode? history = null) =>
        Counted(Renderer(day).Render(entry, subject, history), ref _members, ref _membersCut);

    /// <summary>Renders an item-side prompt as of the start of <paramref name="day"/> and counts it.</summary>
    protected RenderedPrompt RenderItem(LibraryEntry entry, PromptSubject subject, int day) =>
        Counted(Renderer(day).Render(entry, subject), ref _items, ref _itemsCut);

    /// <summary>The entry with its template's budget (and its history's, when larger) set to <paramref name="budget"/> tokens; unchanged for null.</summary>
    protected static LibraryEntry WithBudget(LibraryEntry entry, int? budget) => budget is not { } tokens ? entry : entry with
    {
        Template = entry.Template with
        {
            Budget = tokens,
            History = entry.Template.History is { } history ? history with { Budget = Math.Min(history.Budget, tokens) } : null,
        },
    };

    private static RenderedPrompt Counted(RenderedPrompt prompt, ref long rendered, ref long cut)
    {
        Interlocked.Increment(ref rendered);
        if (prompt.WasCut)
        {
            Interlocked.Increment(ref cut);
        }
        return prompt;
    }

    private PromptRenderer Renderer(int day)
    {
        if (!_renderers.TryGetValue(day, out var renderer))
        {
            _renderers[day] = renderer = new PromptRenderer(tokenizer, day);
        }
        return renderer;
    }
}
