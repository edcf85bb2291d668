// Trains a byte-level BPE vocabulary the way Hugging Face's BpeTrainer does: count pre-tokenized words,
// then repeatedly merge the most frequent adjacent pair (ties: the smaller pair of ids) until the vocabulary is full.
using System.Text;
using Lodestar.Core;

namespace Lodestar.Text.Tokenization;

/// <summary>What the trainer builds.</summary>
public sealed record BpeTrainerConfig
{
    /// <summary>Total ids: added tokens + 256 byte symbols + merges (8192 fits prompts of a professional network).</summary>
    public int VocabSize { get; init; } = 8192;

    /// <summary>Pairs seen fewer times than this are never merged (2: a merge must be useful at least twice).</summary>
    public int MinPairFrequency { get; init; } = 2;

    /// <summary>Added tokens in id order (ids 0, 1, ...); a content in <see cref="SpecialContents"/> is flagged special.</summary>
    public IReadOnlyList<string> AddedTokens { get; init; } = SpecialTokens.Default;

    /// <summary>The control tokens ([PAD] [UNK] [CLS] [SEP] [MASK]) that decoding may skip.</summary>
    public IReadOnlyList<string> SpecialContents { get; init; } = SpecialTokens.Control;

    public void Validate()
    {
        this.Require(AddedTokens.Count == AddedTokens.Distinct(StringComparer.Ordinal).Count(), AddedTokens, "must not list a token twice");
        this.Require(VocabSize >= AddedTokens.Count + 256, VocabSize, $"must cover the {AddedTokens.Count} added tokens and 256 byte symbols");
        this.Require(MinPairFrequency >= 1, MinPairFrequency, "must be at least 1");
        for (var i = 0; i < AddedTokens.Count; i++)
        {
            new AddedToken(i, AddedTokens[i], false).Validate();
        }
    }
}

public sealed class BpeTrainer
{
    private readonly BpeTrainerConfig config;
    private readonly Dictionary<string, long> wordCounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> wordCountsBySpan;
    private readonly AddedTokenMatcher matcher;

    public BpeTrainer(BpeTrainerConfig config)
    {
        config.Validate();
        this.config = config;
        wordCountsBySpan = wordCounts.GetAlternateLookup<ReadOnlySpan<char>>();
        matcher = new AddedTokenMatcher(config.AddedTokens.Select((content, id) => new AddedToken(id, content, false)));
    }

    /// <summary>Distinct pre-tokenized words counted so far.</summary>
    public int DistinctWords => wordCounts.Count;

    /// <summary>Counts the words of <paramref name="text"/>; added tokens in it are cut out first, as when encoding.</summary>
    public void AddText(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            var found = matcher.FindNext(text, out var start, out var length, out _);
            var plain = found ? text[..start] : text;
            while (!plain.IsEmpty)
            {
                var pieceLength = ByteLevelPreTokenizer.NextLength(plain);
                var piece = plain[..pieceLength];
                wordCountsBySpan[piece] = wordCountsBySpan.TryGetValue(piece, out var count) ? count + 1 : 1;
                plain = plain[pieceLength..];
            }
            text = found ? text[(start + length)..] : [];
        }
    }

    /// <summary>Counts every line of a UTF-8 text file (line endings kept, as Hugging Face's trainer does).</summary>
    public void AddFile(string path, Action<long>? bytesRead = null)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: corpus file not found", path);
        }
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var line = new StringBuilder();
        string? text;
        while ((text = reader.ReadLine()) is not null)
        {
            line.Clear().Append(text);
            if (!reader.EndOfStream)
            {
                line.Append('\n');
            }
            foreach (var chunk in line.GetChunks())
            {
                AddText(chunk.Span);
            }
            bytesRead?.Invoke(reader.BaseStream.Position);
        }
    }

    /// <summary>
    /// Learns the merges. <paramref name="progress"/> receives (merges done, merges wanted).
    /// Deterministic: the same counted words give the same vocabulary, byte for byte.
    /// </summary>
    public BpeTokenizer Train(Action<int, int>? progress = null)
    {
        var vocab = new List<string>(config.VocabSize);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var content in config.AddedTokens)
        {
            ids[content] = vocab.Count;
            vocab.Add(content);
        }
        var byteIds = new int[256];
        foreach (var symbol in Enumerable.Range(0, 256).Select(b => ByteLevelAlphabet.ByteToChar((byte)b)).Order())
        {
            ByteLevelAlphabet.TryCharToByte(symbol, out var b);
            var token = symbol.ToString();
            if (!ids.TryGetValue(token, out byteIds[b]))
            {
                byteIds[b] = vocab.Count;
                ids[token] = vocab.Count;
                vocab.Add(token);
            }
        }

        var pairs = new PairStatistics(BuildWords(byteIds, out var counts), counts);
        var merges = new List<(int, int)>();
        var wanted = config.VocabSize - vocab.Count;
        while (vocab.Count < config.VocabSize && pairs.TryTakeBest(config.MinPairFrequency, out var left, out var right))
        {
            var merged = vocab[left] + vocab[right];
            if (!ids.TryGetValue(merged, out var mergedId))
            {
                mergedId = vocab.Count;
                ids[merged] = mergedId;
                vocab.Add(merged);
            }
            merges.Add((left, right));
            pairs.Merge(left, right, mergedId);
            progress?.Invoke(merges.Count, wanted);
        }
        var added = config.AddedTokens.Select((content, id) => new AddedToken(id, content, config.SpecialContents.Contains(content))).ToList();
        return new BpeTokenizer(vocab, merges, added);
    }

    // Words in ordinal order (so dictionary order never leaks into the result), as byte-symbol ids.
    private List<int[]> BuildWords(int[] byteIds, out List<long> counts)
    {
        var words = new List<int[]>(wordCounts.Count);
        counts = new List<long>(wordCounts.Count);
        foreach (var (word, count) in wordCounts.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            var bytes = Encoding.UTF8.GetBytes(word);
            words.Add([.. bytes.Select(b => byteIds[b])]);
            counts.Add(count);
        }
        return words;
    }
}
