// The <history> section: a member's engagements filtered by mode (positives only, or every impression),
// the most recent that fit the budgets, written oldest first with action tokens before each item's text.
using Lodestar.Text.Tokenization;

namespace Lodestar.Text.Prompts;

internal sealed class HistoryRenderer
{
    private const string Open = "<history>";
    private const string Close = "</history>";
    private const string ItemOpen = "<item>";
    private const string ItemClose = "</item>";

    private readonly IPromptTokenizer tokenizer;
    private readonly List<(string Text, int Tokens, bool Truncated)> items = [];

    public HistoryRenderer(IPromptTokenizer tokenizer, FieldFormatter formatter, HistorySpec spec, HistoryMode mode, IReadOnlyList<HistoryItem> history)
    {
        this.tokenizer = tokenizer;
        var kept = history.Where(i => mode == HistoryMode.All || i.IsPositive).ToList();
        Available = kept.Count;
        foreach (var item in kept.Skip(Math.Max(0, kept.Count - spec.MaxItems)))
        {
            var actions = item.IsPositive ? string.Concat(item.Actions) : item.Skipped ? "<skip>" : "<impression>";
            var frame = ItemOpen + actions + ItemClose;
            var text = formatter.Collapse(item.Text);
            for (var room = spec.ItemBudget - tokenizer.CountTokens(frame); room >= 0; room--)
            {
                var body = formatter.FitText(text, room);
                var rendered = ItemOpen + actions + body + ItemClose;
                var tokens = tokenizer.CountTokens(rendered);
                if (tokens <= spec.ItemBudget)
                {
                    items.Add((rendered, tokens, body.Length != text.Length));
                    break;
                }
            }
        }
    }

    /// <summary>Items the mode keeps, before budgets cut the oldest.</summary>
    public int Available { get; }

    /// <summary>The newest items whose total fits <paramref name="budget"/>, oldest first.</summary>
    internal PromptRenderer.Rendered Render(int budget)
    {
        var frame = tokenizer.CountTokens(Open) + tokenizer.CountTokens(Close);
        var used = frame;
        var first = items.Count;
        while (first > 0 && used + items[first - 1].Tokens <= budget)
        {
            first--;
            used += items[first].Tokens;
        }
        if (first == items.Count)
        {
            return new PromptRenderer.Rendered("", 0, Truncated: false, Dropped: items.Count > 0, Items: 0);
        }
        var shown = items.Skip(first).ToList();
        var text = Open + string.Concat(shown.Select(i => i.Text)) + Close;
        return new PromptRenderer.Rendered(text, tokenizer.CountTokens(text), first > 0 || shown.Any(i => i.Truncated), Dropped: false, Items: shown.Count);
    }
}
