// Renders a template for a subject: each field inside its own budget, the history keeping the most recent
// items in time order, then, while the whole prompt is over budget, the lowest-priority parts cut first.
using Lodestar.Text.Tokenization;

namespace Lodestar.Text.Prompts;

public sealed class PromptRenderer
{
    private readonly IPromptTokenizer tokenizer;
    private readonly FieldFormatter formatter;
    private readonly int nowDay;

    /// <param name="nowDay">The day recency is measured from (a world's last day).</param>
    public PromptRenderer(IPromptTokenizer tokenizer, int nowDay)
    {
        this.tokenizer = tokenizer;
        formatter = new FieldFormatter(tokenizer);
        this.nowDay = nowDay;
    }

    /// <summary>Renders <paramref name="entry"/> for <paramref name="subject"/>; <paramref name="historyMode"/> overrides the template's mode.</summary>
    public RenderedPrompt Render(LibraryEntry entry, PromptSubject subject, HistoryMode? historyMode = null)
    {
        var template = entry.Template;
        var parts = new List<Part>();
        foreach (var field in template.Fields)
        {
            var value = subject.Attributes.GetValueOrDefault(field.Source);
            parts.Add(new Part(field.Name, field.Priority, parts.Count, field.Budget, value is null || value.IsEmpty
                ? _ => Rendered.Absent
                : budget => RenderField(field, value, budget, entry.Percentiles)));
        }
        var historyAvailable = 0;
        if (template.History is { } spec)
        {
            var history = new HistoryRenderer(tokenizer, formatter, spec, historyMode ?? spec.Mode, subject.History);
            historyAvailable = history.Available;
            parts.Add(new Part("history", spec.Priority, parts.Count, spec.Budget, history.Render));
        }
        foreach (var part in parts)
        {
            part.Current = part.RenderAt(part.Budget);
        }

        var (open, close) = template.Delimiters;
        var text = Assemble(open, close, parts);
        var tokens = tokenizer.CountTokens(text);
        while (tokens > template.Budget)
        {
            // Cut the least important part (highest priority number, the later one on ties) by the excess.
            var victim = parts.Where(p => p.Current.Tokens > 0).OrderByDescending(p => p.Priority).ThenByDescending(p => p.Index).FirstOrDefault()
                ?? throw new InvalidOperationException($"template {template.Origin}: budget {template.Budget} is too small for its delimiters alone");
            var budget = victim.Current.Tokens - (tokens - template.Budget);
            var cut = victim.RenderAt(budget);
            if (cut.Tokens >= victim.Current.Tokens)
            {
                // Only possible when markers are not added tokens and merges cross field boundaries: drop it.
                cut = victim.RenderAt(0);
            }
            victim.Current = cut with { Dropped = cut.Tokens == 0, Truncated = cut.Tokens > 0 };
            text = Assemble(open, close, parts);
            tokens = tokenizer.CountTokens(text);
        }
        var reports = parts.Select(p => new FieldReport(p.Name, p.Current.Text, p.Current.Tokens, p.Current.Truncated, p.Current.Dropped)).ToList();
        var shown = parts.FirstOrDefault(p => p.Name == "history")?.Current.Items ?? 0;
        return new RenderedPrompt(template.Name, subject.Description, text, tokens, template.Budget, reports, shown, historyAvailable);
    }

    private Rendered RenderField(FieldSpec field, PromptValue value, int budget, PercentileTable? percentiles)
    {
        var (open, close) = SpecialTokens.FieldMarkers(field.Name);
        var markers = tokenizer.CountTokens(open) + tokenizer.CountTokens(close);
        for (var bodyBudget = budget - markers; bodyBudget > 0; bodyBudget--)
        {
            var body = formatter.Format(field, value, bodyBudget, nowDay, percentiles, out var truncated);
            if (body.Length == 0)
            {
                break;
            }
            var text = open + body + close;
            var tokens = tokenizer.CountTokens(text);
            if (tokens <= budget)
            {
                return new Rendered(text, tokens, truncated, Dropped: false, Items: 0);
            }
        }
        return new Rendered("", 0, Truncated: false, Dropped: true, Items: 0);
    }

    private static string Assemble(string open, string close, List<Part> parts) =>
        string.Concat([open, .. parts.Select(p => p.Current.Text), close]);

    /// <summary>One rendering of a part.</summary>
    internal sealed record Rendered(string Text, int Tokens, bool Truncated, bool Dropped, int Items)
    {
        public static Rendered Absent { get; } = new("", 0, false, false, 0);
    }

    private sealed class Part(string name, int priority, int index, int budget, Func<int, Rendered> renderAt)
    {
        public string Name { get; } = name;

        public int Priority { get; } = priority;

        public int Index { get; } = index;

        public int Budget { get; } = budget;

        public Rendered Current { get; set; } = Rendered.Absent;

        public Rendered RenderAt(int tokens) => tokens <= 0 ? new Rendered("", 0, false, Current.Tokens > 0, 0) : renderAt(tokens);
    }
}
