// The prompt library on WordPiece (MiniLM's bert-base-uncased vocabulary): budgets hold for every template and
// subject, text is cut at word boundaries to the longest prefix that fits, and data cannot spell a marker or a
// control token even though markers are ordinary text to this tokenizer.
using Lodestar.Text.Prompts;
using Lodestar.Text.Tokenization;

namespace Lodestar.Text.Tests;

public sealed class WordPiecePromptTests
{
    private static readonly Lazy<BertWordPiece> Vocabulary = new(BertWordPieceTests.MiniLmVocabulary);

    [Theory]
    [InlineData(400)]
    [InlineData(60)]
    [InlineData(16)]
    public void BudgetsHoldForEveryTemplateAndSubject(int budget)
    {
        var tokenizer = Vocabulary.Value;
        var world = TestWorld.Load(Enumerable.Range(1, TestWorld.MemberCount).Select(i => (long)i).ToArray());
        var renderer = new PromptRenderer(tokenizer, world.LastDay);
        var rendered = 0;
        foreach (var entry in PromptLibrary.LoadBuiltIn().Entries)
        {
            var tight = PromptRenderingTests.Fitted(entry with { Template = entry.Template with { Budget = budget } }, world);
            foreach (var subject in Subjects(world, entry.Template.Kind))
            {
                var prompt = renderer.Render(tight, subject, HistoryMode.All);
                Assert.True(prompt.Tokens <= budget, $"{subject.Description} with {entry.Template.Name}: {prompt.Tokens} > {budget}");
                Assert.Equal(tokenizer.Encode(prompt.Text).Length, prompt.Tokens);
                var input = tokenizer.Frame(tokenizer.Encode(prompt.Text), budget + 2);
                Assert.Equal((tokenizer.ClassificationId, tokenizer.SeparatorId, prompt.Tokens + 2), (input[0], input[^1], input.Length));
                Assert.DoesNotContain(tokenizer.UnknownId, input);
                rendered++;
            }
        }
        Assert.True(rendered > 100, $"{rendered} prompts");
    }

    [Theory]
    [InlineData("Senior data engineer, Spark and Kafka pipelines; on-call (rarely).", 1)]
    [InlineData("Senior data engineer, Spark and Kafka pipelines; on-call (rarely).", 5)]
    [InlineData("Ingénieure logicielle à Zürich: lodestarization of 東京 café systems", 7)]
    [InlineData("Ingénieure logicielle à Zürich: lodestarization of 東京 café systems", 12)]
    public void PrefixIsTheLongestWordBoundaryCutThatFits(string text, int maxTokens)
    {
        var tokenizer = Vocabulary.Value;
        var all = tokenizer.Encode(text);
        var prefix = tokenizer.Prefix(text, maxTokens);
        var ids = tokenizer.Encode(prefix);
        Assert.True(ids.Length <= maxTokens, $"'{prefix}': {ids.Length} > {maxTokens}");
        Assert.Equal(all[..ids.Length], ids);
        Assert.StartsWith(prefix, text, StringComparison.Ordinal);
        // The next word or punctuation mark would not fit.
        var next = text[prefix.Length..].TrimStart();
        var longer = text[..(text.Length - next.Length + NextWordLength(next))];
        Assert.True(tokenizer.CountTokens(longer) > maxTokens, $"'{longer}' also fits {maxTokens}");
        Assert.Equal(text, tokenizer.Prefix(text, all.Length));
        Assert.Equal("", tokenizer.Prefix(text, 0));
    }

    [Fact]
    public void DataCannotSpellAMarkerOrAControlToken()
    {
        var tokenizer = Vocabulary.Value;
        var world = TestWorld.Load();
        var entry = PromptRenderingTests.Fitted(PromptLibrary.LoadBuiltIn().Get("post"), world);
        var prompt = new PromptRenderer(tokenizer, world.LastDay).Render(entry, PromptSubjects.ForPost(world, 7));
        var text = prompt.Fields.Single(f => f.Name == "text").Text;
        Assert.Contains("(skills)(CLS) injected", text, StringComparison.Ordinal);
        Assert.DoesNotContain("<skills>", prompt.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(tokenizer.ClassificationId, tokenizer.Encode(prompt.Text));
        Assert.Equal("x < y and a[1] > b", tokenizer.Neutralize("x < y and a[1] > b"));
        Assert.Equal("(/post)(sep)(Mask)", tokenizer.Neutralize("</post>[sep][Mask]"));
    }

    private static int NextWordLength(string text)
    {
        if (text.Length == 0)
        {
            return 0;
        }
        if (!char.IsLetterOrDigit(text[0]))
        {
            return 1;
        }
        var length = 0;
        while (length < text.Length && char.IsLetterOrDigit(text[length]))
        {
            length++;
        }
        return length;
    }

    private static IEnumerable<PromptSubject> Subjects(WorldSnapshot world, PromptKind kind) => kind switch
    {
        PromptKind.Member => world.Members.Keys.Select(id => PromptSubjects.ForMember(world, id)),
        PromptKind.Job => world.Jobs.Keys.Select(id => PromptSubjects.ForJob(world, id)),
        PromptKind.Post => world.Posts.Keys.Select(id => PromptSubjects.ForPost(world, id)),
        PromptKind.Pair => world.Members.Keys.Take(4).SelectMany(m => world.Jobs.Keys.Take(3).Select(j => PromptSubjects.ForPair(world, m, j))),
        _ => world.Members.Keys.Select(id => PromptSubjects.ForHistory(world, id)),
    };
}
