// The hand-written pre-tokenizer against the GPT-2 regex itself (the reference), on fixed and random text.
using System.Text;
using System.Text.RegularExpressions;
using Lodestar.Text.Tokenization;

namespace Lodestar.Text.Tests;

public class ByteLevelPreTokenizerTests
{
    // .NET's \s is the Unicode White_Space set and \p{L}/\p{N} the same categories; on BMP text and on
    // emoji (whose surrogates are neither letters nor numbers) it matches what Oniguruma matches.
    private static readonly Regex Gpt2Pattern = new(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+", RegexOptions.CultureInvariant);

    [Fact]
    public void SplitsSampleTextsExactlyAsTheRegex()
    {
        foreach (var text in SampleTexts.Corpus.Concat(SampleTexts.Prompts).Where(t => !t.Contains("𝔘", StringComparison.Ordinal)))
        {
            Assert.Equal(RegexSplit(text), ByteLevelPreTokenizer.Split(text));
        }
    }

    [Fact]
    public void SplitsRandomTextExactlyAsTheRegex()
    {
        string[] alphabet = ["a", "B", "é", "ß", "東", "ソ", "1", "٣", "½", "'", "s", "t", "r", "e", "v", "l", "d", "m", " ", " ", "\t", "\n", "\r", "\u00a0", "\u3000", "!", ".", "-", "😀", "👍🏽", "\u0301", "<", ">"];
        var random = new Random(20261122);
        for (var sample = 0; sample < 3000; sample++)
        {
            var text = new StringBuilder();
            var length = random.Next(0, 24);
            for (var i = 0; i < length; i++)
            {
                text.Append(alphabet[random.Next(alphabet.Length)]);
            }
            var s = text.ToString();
            Assert.Equal(RegexSplit(s), ByteLevelPreTokenizer.Split(s));
        }
    }

    [Fact]
    public void KeepsAstralLettersTogetherAsOneWord()
    {
        // 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 are letters (Lu/Ll) outside the BMP: one word with its leading space, as Oniguruma splits it.
        Assert.Equal(["Mixed", " 𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "!"], ByteLevelPreTokenizer.Split("Mixed 𝔘𝔫𝔦𝔠𝔬𝔡𝔢!"));
    }

    [Fact]
    public void LeavesTheLastSpaceOfARunToTheNextWord()
    {
        Assert.Equal(["a", "  ", " b", "\n\n", "\n", "c", "  "], ByteLevelPreTokenizer.Split("a   b\n\n\nc  "));
    }

    private static List<string> RegexSplit(string text) => [.. Gpt2Pattern.Matches(text).Select(m => m.Value)];
}
