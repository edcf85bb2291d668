// Rendering the built-in templates against a real world directory: deterministic text, budgets never
// exceeded (whole prompt and every field), per-field counts that add up, and no marker injection from data.
using Lodestar.Text.Prompts;

namespace Lodestar.Text.Tests;

public class PromptRenderingTests
{
    [Fact]
    public void AWorldWithoutItsManifestIsRefusedAsUnfinished()
    {
        var unfinished = Directory.CreateTempSubdirectory("lodestar-unfinished-").FullName;
        try
        {
            File.Copy(Path.Combine(TestWorld.Directory, Lodestar.Data.Schema.DataFiles.Members), Path.Combine(unfinished, Lodestar.Data.Schema.DataFiles.Members));
            var error = Assert.Throws<FileNotFoundException>(() => WorldSnapshot.Load(unfinished));
            Assert.Contains("did not finish", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(unfinished, recursive: true);
        }
    }

    [Fact]
    public void EveryKindRendersDeterministically()
    {
        var first = RenderAll(TestWorld.Load(3, 5), PromptLibrary.LoadBuiltIn());
        var second = RenderAll(TestWorld.Load(3, 5), PromptLibrary.LoadBuiltIn());
        Assert.Equal(first.Select(p => p.Text), second.Select(p => p.Text));
        Assert.Contains(first, p => p.Template == "history" && p.HistoryItemsShown > 0);
        Assert.All(first, p => Assert.StartsWith(p.Template is "history" ? "<member>" : $"<{p.Template}>", p.Text, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(120)]
    [InlineData(60)]
    [InlineData(24)]
    [InlineData(8)]
    public void BudgetsAreNeverExceeded(int budget)
    {
        var world = TestWorld.Load(Enumerable.Range(1, TestWorld.MemberCount).Select(i => (long)i).ToArray());
        var library = PromptLibrary.LoadBuiltIn();
        foreach (var entry in library.Entries)
        {
            var tight = entry with { Template = entry.Template with { Budget = budget } };
            foreach (var rendered in RenderEveryone(world, tight))
            {
                Assert.True(rendered.Tokens <= budget, $"{rendered.Subject} with {entry.Template.Name}: {rendered.Tokens} > {budget}");
                Assert.Equal(TestWorld.Tokenizer.CountTokens(rendered.Text), rendered.Tokens);
                // Markers are added tokens, so the whole is exactly the delimiters plus the fields.
                Assert.Equal(rendered.Tokens, 2 + rendered.Fields.Sum(f => f.Tokens));
                foreach (var field in rendered.Fields.Where(f => f.Name != "history"))
                {
                    Assert.True(field.Tokens <= entry.Template.Fields.Single(f => f.Name == field.Name).Budget, $"{field.Name} over its budget");
                }
            }
        }
    }

    [Theory]
    [InlineData(200)]
    [InlineData(50)]
    [InlineData(12)]
    public void BudgetsHoldEvenWhenMarkersAreNotAddedTokens(int budget)
    {
        // SampleTexts' tokenizer knows few field markers: most cost several tokens and BPE may merge across
        // field boundaries, so the renderer must rely on its final whole-prompt count.
        var world = TestWorld.Load(4, 8);
        var renderer = new PromptRenderer(SampleTexts.Tokenizer, world.LastDay);
        foreach (var entry in PromptLibrary.LoadBuiltIn().Entries)
        {
            var tight = Fitted(entry with { Template = entry.Template with { Budget = budget } }, world);
            var subject = entry.Template.Kind switch
            {
                PromptKind.Job => PromptSubjects.ForJob(world, 3),
                PromptKind.Post => PromptSubjects.ForPost(world, 7),
                PromptKind.Pair => PromptSubjects.ForPair(world, 4, 3),
                PromptKind.History => PromptSubjects.ForHistory(world, 8),
                _ => PromptSubjects.ForMember(world, 4),
            };
            var rendered = renderer.Render(tight, subject, HistoryMode.All);
            Assert.True(rendered.Tokens <= budget, $"{entry.Template.Name}: {rendered.Tokens} > {budget}");
            Assert.Equal(SampleTexts.Tokenizer.CountTokens(rendered.Text), rendered.Tokens);
        }
    }

    [Fact]
    public void LowPriorityFieldsAreCutFirst()
    {
        var world = TestWorld.Load();
        var entry = Fitted(PromptLibrary.LoadBuiltIn().Get("job"), world);
        var full = Renderer(world).Render(entry, PromptSubjects.ForJob(world, 5));
        var description = full.Fields.Single(f => f.Name == "description");
        Assert.True(description.Tokens > 10);
        var shorter = entry with { Template = entry.Template with { Budget = full.Tokens - description.Tokens + 6 } };
        var truncated = Renderer(world).Render(shorter, PromptSubjects.ForJob(world, 5)).Fields.Single(f => f.Name == "description");
        Assert.True(truncated.Truncated);
        Assert.Equal(6, truncated.Tokens);
        Assert.StartsWith(truncated.Text[..^"</description>".Length], description.Text, StringComparison.Ordinal);
        var tight = entry with { Template = entry.Template with { Budget = full.Tokens - description.Tokens + 1 } };
        var cut = Renderer(world).Render(tight, PromptSubjects.ForJob(world, 5));
        Assert.True(cut.Fields.Single(f => f.Name == "description").Dropped);
        Assert.All(cut.Fields.Where(f => f.Name != "description"), f => Assert.Equal(full.Fields.Single(g => g.Name == f.Name).Text, f.Text));
    }

    [Fact]
    public void DataCannotInjectMarkersOrControlTokens()
    {
        var world = TestWorld.Load();
        var entry = Fitted(PromptLibrary.LoadBuiltIn().Get("post"), world);
        var rendered = Renderer(world).Render(entry, PromptSubjects.ForPost(world, 7));
        var ids = TestWorld.Tokenizer.Encode(rendered.Text);
        Assert.Single(ids, TestWorld.Tokenizer.TokenToId("<text>")!.Value);
        Assert.DoesNotContain(TestWorld.Tokenizer.TokenToId("<skills>")!.Value, ids);
        Assert.DoesNotContain(TestWorld.Tokenizer.TokenToId("[CLS]")!.Value, ids);
        Assert.Contains("injected", rendered.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void RecencyIsWrittenAsAPhrase()
    {
        Assert.Equal("today", FieldFormatter.Recency(0));
        Assert.Equal("1 day ago", FieldFormatter.Recency(1));
        Assert.Equal("3 days ago", FieldFormatter.Recency(3));
        Assert.Equal("2 weeks ago", FieldFormatter.Recency(15));
        Assert.Equal("5 months ago", FieldFormatter.Recency(150));
        Assert.Equal("3 years ago", FieldFormatter.Recency(1100));
    }

    [Fact]
    public void RawNumberAblationWritesTheCountsWherePercentilesWouldBe()
    {
        var world = TestWorld.Load();
        var library = PromptLibrary.LoadBuiltIn();
        var raw = Renderer(world).Render(library.Get("post_raw"), PromptSubjects.ForPost(world, 1));
        var bucketed = Renderer(world).Render(Fitted(library.Get("post"), world), PromptSubjects.ForPost(world, 1));
        Assert.Contains($"<views>{world.PostStats[1].Impressions}</views>", raw.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("_percentile>", raw.Text, StringComparison.Ordinal);
        Assert.Contains("<view_percentile>", bucketed.Text, StringComparison.Ordinal);
        var text = bucketed.Fields.Single(f => f.Name == "text").Text;
        Assert.Equal(text, raw.Fields.Single(f => f.Name == "text").Text);
    }

    internal static PromptRenderer Renderer(WorldSnapshot world) => new(TestWorld.Tokenizer, world.LastDay);

    internal static LibraryEntry Fitted(LibraryEntry entry, WorldSnapshot world) =>
        entry with { Percentiles = PercentileFitter.Fit(entry.Template, world, "test world") };

    private static List<RenderedPrompt> RenderAll(WorldSnapshot world, PromptLibrary library)
    {
        var renderer = Renderer(world);
        return
        [
            renderer.Render(Fitted(library.Get("member"), world), PromptSubjects.ForMember(world, 3)),
            renderer.Render(Fitted(library.Get("job"), world), PromptSubjects.ForJob(world, 2)),
            renderer.Render(Fitted(library.Get("post"), world), PromptSubjects.ForPost(world, 4)),
            renderer.Render(Fitted(library.Get("pair"), world), PromptSubjects.ForPair(world, 3, 2)),
            renderer.Render(Fitted(library.Get("history"), world), PromptSubjects.ForHistory(world, 5)),
            renderer.Render(Fitted(library.Get("history"), world), PromptSubjects.ForHistory(world, 5), HistoryMode.All),
        ];
    }

    private static IEnumerable<RenderedPrompt> RenderEveryone(WorldSnapshot world, LibraryEntry entry)
    {
        var renderer = Renderer(world);
        var fitted = Fitted(entry, world);
        IEnumerable<PromptSubject> subjects = entry.Template.Kind switch
        {
            PromptKind.Member => world.Members.Keys.Select(id => PromptSubjects.ForMember(world, id)),
            PromptKind.Job => world.Jobs.Keys.Select(id => PromptSubjects.ForJob(world, id)),
            PromptKind.Post => world.Posts.Keys.Select(id => PromptSubjects.ForPost(world, id)),
            PromptKind.Pair => world.Members.Keys.Take(6).SelectMany(m => world.Jobs.Keys.Take(4).Select(j => PromptSubjects.ForPair(world, m, j))),
            _ => world.Members.Keys.Select(id => PromptSubjects.ForHistory(world, id)),
        };
        foreach (var subject in subjects)
        {
            yield return renderer.Render(fitted, subject);
            if (entry.Template.Kind == PromptKind.History)
            {
                yield return renderer.Render(fitted, subject, HistoryMode.All);
            }
        }
    }
}
