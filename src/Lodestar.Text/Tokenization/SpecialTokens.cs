// The added tokens every Lodestar tokenizer reserves: control tokens, item and history delimiters, and
// the engagement actions a generative ranker interleaves with items (LinkedIn Feed GR, arXiv 2602.12354).
namespace Lodestar.Text.Tokenization;

public static class SpecialTokens
{
    public const string Pad = "[PAD]";
    public const string Unknown = "[UNK]";
    public const string Cls = "[CLS]";
    public const string Sep = "[SEP]";
    public const string Mask = "[MASK]";

    /// <summary>Control tokens: flagged special, so decoding with skip_special_tokens drops them.</summary>
    public static IReadOnlyList<string> Control { get; } = [Pad, Unknown, Cls, Sep, Mask];

    /// <summary>Delimiters of prompts, items and histories.</summary>
    public static IReadOnlyList<string> Delimiters { get; } =
        ["<member>", "</member>", "<job>", "</job>", "<post>", "</post>", "<pair>", "</pair>", "<history>", "</history>", "<item>", "</item>"];

    /// <summary>What a member did with an item (passive and active engagement).</summary>
    public static IReadOnlyList<string> Actions { get; } =
        ["<impression>", "<click>", "<skip>", "<long_dwell>", "<like>", "<comment>", "<share>", "<apply>", "<save>"];

    /// <summary>Control tokens, delimiters and actions, in id order.</summary>
    public static IReadOnlyList<string> Default { get; } = [.. Control, .. Delimiters, .. Actions];

    /// <summary>The opening and closing markers of a field: &lt;skills&gt; and &lt;/skills&gt;.</summary>
    public static (string Open, string Close) FieldMarkers(string field) => ($"<{field}>", $"</{field}>");
}
