// History sections: the most recent items survive truncation and stay in chronological order; the
// positives-only switch keeps only engaged items, the all-impressions switch marks the rest.
using Lodestar.Text.Prompts;

namespace Lodestar.Text.Tests;

public class HistoryTests
{
    private const string Yaml = "template: h\nkind: history\nbudget: 400\nhistory:\n  max_items: 20\n  item_budget: 12\n  budget: 300\n";

    [Fact]
    public void KeepsTheMostRecentItemsInChronologicalOrder()
    {
        var items = Enumerable.Range(0, 30).Select(i => new HistoryItem(i, 1000 + i, i, $"item number {i}", i % 3 == 0 ? [] : ["<click>"], Skipped: false)).ToList();
        var subject = new PromptSubject("member 1", new Dictionary<string, PromptValue>(), items);
        var entry = new LibraryEntry(TemplateYamlReader.Parse(Yaml, "h.yaml"), Yaml, null);
        var tight = entry with { Template = entry.Template with { Budget = 60 } };
        var rendered = new PromptRenderer(TestWorld.Tokenizer, 0).Render(tight, subject);
        Assert.True(rendered.Tokens <= 60);
        var shown = ItemNumbers(rendered.Text);
        var positives = items.Where(i => i.IsPositive).Select(i => (int)i.ImpressionId).ToList();
        Assert.Equal(positives.Skip(positives.Count - shown.Count), shown);
        Assert.True(shown.Count >= 2);
        Assert.Equal(20, rendered.HistoryItemsAvailable);
    }

    [Fact]
    public void AllImpressionsModeKeepsUnengagedItemsWithTheirMarker()
    {
        var items = new List<HistoryItem>
        {
            new(1, 10, 1, "seen", [], Skipped: false),
            new(2, 20, 2, "skipped", [], Skipped: true),
            new(3, 30, 3, "liked", ["<click>", "<like>"], Skipped: false),
        };
        var subject = new PromptSubject("member 1", new Dictionary<string, PromptValue>(), items);
        var entry = new LibraryEntry(TemplateYamlReader.Parse(Yaml, "h.yaml"), Yaml, null);
        var renderer = new PromptRenderer(TestWorld.Tokenizer, 0);
        Assert.Equal("<member><history><item><click><like>liked</item></history></member>", renderer.Render(entry, subject).Text);
        Assert.Equal(
            "<member><history><item><impression>seen</item><item><skip>skipped</item><item><click><like>liked</item></history></member>",
            renderer.Render(entry, subject, HistoryMode.All).Text);
    }

    [Fact]
    public void WorldHistoriesAreChronologicalAndPositivesOnlyIsShorter()
    {
        var world = TestWorld.Load(4);
        var subject = PromptSubjects.ForHistory(world, 4);
        Assert.Equal(subject.History.OrderBy(i => i.Time).ThenBy(i => i.ImpressionId), subject.History);
        var entry = PromptLibrary.LoadBuiltIn().Get("history");
        var renderer = PromptRenderingTests.Renderer(world);
        var positives = renderer.Render(entry, subject, HistoryMode.Positives);
        var all = renderer.Render(entry, subject, HistoryMode.All);
        Assert.True(positives.HistoryItemsAvailable < all.HistoryItemsAvailable);
        Assert.Equal(subject.History.Count(i => i.IsPositive), positives.HistoryItemsAvailable);
    }

    private static List<int> ItemNumbers(string text) =>
        [.. System.Text.RegularExpressions.Regex.Matches(text, "item number (\\d+)").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];
}
