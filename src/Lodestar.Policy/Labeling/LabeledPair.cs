// One judgement of one member–job pair: the line format shared by golden sets (people), labeler output
// and training sets, so `policy agree` can compare any two of them.
using System.Text.Json;
using System.Text.Json.Serialization;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;

namespace Lodestar.Policy.Labeling;

/// <summary>A member–job pair by id.</summary>
public readonly record struct PairKey(long MemberId, long JobId)
{
    public override string ToString() => $"{MemberId},{JobId}";
}

/// <summary>A pair with its records, as labelers need it.</summary>
public sealed record MatchPair(Member Member, Job Job)
{
    public PairKey Key => new(Member.Id, Job.Id);
}

/// <summary>
/// One line of a golden set or label file: <c>{"pair":{"member_id":1,"job_id":2},"scores":{"skills":3,…},
/// "overall":2.6,"annotator":"ann-04","note":"…"}</c>. Training sets add provenance (<c>policy_version</c>,
/// <c>labeler</c>, <c>labeled_at</c>, <c>sample</c>: how the pair was drawn).
/// </summary>
public sealed record LabeledPair(
    PairKey Pair,
    IReadOnlyDictionary<string, int> Scores,
    double Overall,
    string Annotator,
    string? Note = null,
    string? PolicyVersion = null,
    string? LabeledAt = null,
    string? Sample = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LabeledPair))]
[JsonSerializable(typeof(Synthesis.TrainingSetManifest))]
internal sealed partial class LabelJsonContext : JsonSerializerContext;

public static class LabelFile
{
    public static JsonSerializerOptions Options => LabelJsonContext.Default.Options;

    /// <summary>Reads a golden set or label file, checking each line against the policy's dimensions and scales.</summary>
    public static List<LabeledPair> Read(string path, PolicyDocument policy) =>
        ReadLines(path).Select(entry =>
        {
            Check(entry.Label, policy, path, entry.Line);
            return entry.Label;
        }).ToList();

    /// <summary>The distinct pairs a label file names, whatever policy labeled them (e.g. to compare two policies on them).</summary>
    public static List<PairKey> ReadPairs(string path) => ReadLines(path).Select(e => e.Label.Pair).Distinct().ToList();

    private static IEnumerable<(LabeledPair Label, long Line)> ReadLines(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: file not found", path);
        }
        long line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (text.Length == 0)
            {
                continue;
            }
            LabeledPair label;
            try
            {
                label = FromJson(text);
            }
            catch (JsonException ex)
            {
                throw new DataFormatException(path, line, ex.Path, ex.Message.Split(" Path:")[0], ex);
            }
            yield return (label, line);
        }
    }

    /// <summary>Writes labels atomically (temp file, flush, rename).</summary>
    public static void Write(string path, IEnumerable<LabeledPair> labels) => JsonlReader.WriteAll(path, LabelJsonContext.Default.LabeledPair, labels);

    public static string ToJson(LabeledPair label) => JsonSerializer.Serialize(label, LabelJsonContext.Default.LabeledPair);

    public static LabeledPair FromJson(string json) =>
        JsonSerializer.Deserialize(json, LabelJsonContext.Default.LabeledPair) ?? throw new JsonException("null label");

    /// <summary>Throws a <see cref="DataFormatException"/> naming the line and field when a label does not fit the policy.</summary>
    public static void Check(LabeledPair label, PolicyDocument policy, string path, long line)
    {
        if (label.Scores is null)
        {
            throw new DataFormatException(path, line, "scores", "missing");
        }
        foreach (var dimension in policy.Dimensions)
        {
            if (!label.Scores.TryGetValue(dimension.Id, out var score))
            {
                throw new DataFormatException(path, line, $"scores.{dimension.Id}", $"missing (policy {policy.Id} has dimensions {string.Join(", ", policy.Dimensions.Select(d => d.Id))})");
            }
            if (score < dimension.Scale.Min || score > dimension.Scale.Max)
            {
                throw new DataFormatException(path, line, $"scores.{dimension.Id}", $"{score} is outside the scale {dimension.Scale.Describe()}");
            }
        }
        foreach (var id in label.Scores.Keys.Where(k => policy.IndexOf(k) < 0))
        {
            throw new DataFormatException(path, line, $"scores.{id}", $"not a dimension of policy {policy.Id}");
        }
        var overall = policy.Overall.Scale;
        if (!(label.Overall >= overall.Min && label.Overall <= overall.Max))
        {
            throw new DataFormatException(path, line, "overall", $"{label.Overall} is outside the overall scale {overall.Describe()}");
        }
    }
}
