// Encoding, decoding, added tokens, training determinism and tokenizer.json round trips of the
// byte-level BPE tokenizer.
using Lodestar.TestSupport;
using System.Text;
using Lodestar.Text.Tokenization;

namespace Lodestar.Text.Tests;

public class BpeTokenizerTests
{
    [Fact]
    public void UnicodeSurvivesEncodeThenDecode()
    {
        var tokenizer = SampleTexts.Tokenizer;
        foreach (var text in SampleTexts.Corpus.Concat(SampleTexts.Prompts))
        {
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
        }
    }

    [Fact]
    public void EveryTokenIsAtMostAsLongAsTheTextAndCountMatchesEncode()
    {
        var tokenizer = SampleTexts.Tokenizer;
        foreach (var text in SampleTexts.Corpus.Concat(SampleTexts.Prompts))
        {
            var ids = tokenizer.Encode(text);
            Assert.Equal(ids.Length, tokenizer.CountTokens(text));
            Assert.True(ids.Length <= Encoding.UTF8.GetByteCount(text));
        }
    }

    [Fact]
    public void AddedTokensAreOneIdEvenInsideWords()
    {
        var tokenizer = SampleTexts.Tokenizer;
        var skills = tokenizer.TokenToId("<skills>")!.Value;
        var cls = tokenizer.TokenToId(SpecialTokens.Cls)!.Value;
        var ids = tokenizer.Encode("abc<skills>def[CLS]");
        Assert.Equal(1, ids.Count(id => id == skills));
        Assert.Equal(cls, ids[^1]);
        Assert.Equal("abc<skills>def", tokenizer.Decode(ids, skipSpecialTokens: true));
        // "<skill>" is not an added token: byte-level pieces, never the <skills> id.
        Assert.DoesNotContain(skills, tokenizer.Encode("<skill>"));
    }

    [Fact]
    public void LearnedMergesShortenFrequentWords()
    {
        var tokenizer = SampleTexts.Tokenizer;
        Assert.True(tokenizer.Encode(" engineer").Length <= 2);
        Assert.Equal(700, tokenizer.VocabSize);
    }

    [Fact]
    public void TrainingIsDeterministic()
    {
        var first = TokenizerJson.ToJsonString(SampleTexts.Train(vocabSize: 500));
        var second = TokenizerJson.ToJsonString(SampleTexts.Train(vocabSize: 500));
        Assert.Equal(first, second);
    }

    [Fact]
    public void SaveThenLoadGivesTheSameTokenizer()
    {
        var tokenizer = SampleTexts.Tokenizer;
        var path = Path.Combine(Path.GetTempPath(), $"lodestar-tokenizer-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        try
        {
            TokenizerJson.Save(tokenizer, path);
            var loaded = TokenizerJson.Load(path);
            Assert.Equal(TokenizerJson.ToJsonString(tokenizer), TokenizerJson.ToJsonString(loaded));
            foreach (var text in SampleTexts.Corpus.Concat(SampleTexts.Prompts))
            {
                Assert.Equal(tokenizer.Encode(text), loaded.Encode(text));
            }
            Assert.Equal(tokenizer.AddedTokens, loaded.AddedTokens);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadsTheOlderStringMergeLayout()
    {
        var json = TokenizerJson.ToJsonString(SampleTexts.Tokenizer);
        var tokenizer = SampleTexts.Tokenizer;
        var (left, right) = tokenizer.Merges[0];
        var arrayForm = $"[\n        \"{tokenizer.IdToToken(left)}\",\n        \"{tokenizer.IdToToken(right)}\"\n      ]";
        Assert.Contains(arrayForm, json, StringComparison.Ordinal);
        var legacy = json.Replace(arrayForm, $"\"{tokenizer.IdToToken(left)} {tokenizer.IdToToken(right)}\"", StringComparison.Ordinal);
        var loaded = TokenizerJson.Read(new MemoryStream(Encoding.UTF8.GetBytes(legacy)), "legacy.json");
        Assert.Equal(tokenizer.Merges, loaded.Merges);
    }

    [Fact]
    public void BadFilesNameTheField()
    {
        var json = TokenizerJson.ToJsonString(SampleTexts.Tokenizer).Replace("\"type\": \"BPE\"", "\"type\": \"WordPiece\"", StringComparison.Ordinal);
        var error = Assert.Throws<InvalidDataException>(() => TokenizerJson.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "bad.json"));
        Assert.Contains("bad.json: model.type", error.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<InvalidDataException>(() => TokenizerJson.Read(new MemoryStream("{\"model\": {\"type\": \"BPE\"}}"u8.ToArray()), "m.json"));
        Assert.Contains("pre_tokenizer", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CachedAndUncachedEncodingsAgree()
    {
        var tokenizer = SampleTexts.Tokenizer;
        var uncached = new BpeTokenizer(
            Enumerable.Range(0, tokenizer.ModelVocabSize).Select(tokenizer.IdToToken).ToList(), tokenizer.Merges, tokenizer.AddedTokens, cacheCapacity: 0);
        foreach (var text in SampleTexts.Corpus.Concat(SampleTexts.Prompts))
        {
            Assert.Equal(tokenizer.Encode(text), uncached.Encode(text));
            Assert.Equal(tokenizer.Encode(text), tokenizer.Encode(text));
        }
    }

    [Fact]
    public void ConcurrentEncodingSharesTheCacheSafely()
    {
        var texts = SampleTexts.Corpus.Concat(SampleTexts.Prompts).ToArray();
        var uncached = SampleTexts.Tokenizer.WithCacheCapacity(0);
        var expected = texts.Select(uncached.Encode).ToArray();
        // A cache smaller than the distinct words, so threads also race on a full cache.
        var shared = SampleTexts.Tokenizer.WithCacheCapacity(64);
        var results = new int[texts.Length * 40][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => results[i] = shared.Encode(texts[i % texts.Length]));
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(expected[i % texts.Length], results[i]);
        }
    }

    [Fact]
    public void EncodingCachedTextDoesNotAllocate()
    {
        var tokenizer = SampleTexts.Tokenizer;
        var text = string.Join(' ', SampleTexts.Corpus);
        var ids = new List<int>(4096);
        var counted = 0;
        SteadyStateAllocation.AssertNone(() =>
        {
            ids.Clear();
            tokenizer.Encode(text, ids);
            counted = tokenizer.CountTokens(text);
        }, warmRuns: 1);
        Assert.Equal(ids.Count, counted);
    }
}
