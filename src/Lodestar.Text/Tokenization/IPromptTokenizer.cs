// What the prompt library needs of a tokenizer: count and encode a prompt's text, cut text to a token
// budget, and neutralise data that spells one of its reserved strings. Byte-level BPE and WordPiece both fit.
namespace Lodestar.Text.Tokenization;

public interface IPromptTokenizer
{
    /// <summary>Ids the tokenizer can give: the rows a model's embedding table needs.</summary>
    int VocabSize { get; }

    /// <summary>The ids of <paramref name="text"/> as the model reads them inside a prompt (no [CLS]/[SEP] frame).</summary>
    int[] Encode(string text);

    /// <summary>A prompt's ids as its model reads them: as they are for byte-level BPE, inside [CLS] … [SEP] for BERT's WordPiece.</summary>
    int[] Frame(ReadOnlySpan<int> content);

    /// <summary>How many ids <see cref="Encode"/> gives for <paramref name="text"/>.</summary>
    int CountTokens(ReadOnlySpan<char> text);

    /// <summary>The longest prefix of <paramref name="text"/> that encodes to at most <paramref name="maxTokens"/> ids, never ending mid-character.</summary>
    string Prefix(string text, int maxTokens);

    /// <summary>
    /// <paramref name="text"/> changed just enough that it can no longer produce a control token or a prompt
    /// marker ("&lt;skills&gt;", "[SEP]"), so data can never inject structure into a prompt.
    /// </summary>
    string Neutralize(string text);
}
