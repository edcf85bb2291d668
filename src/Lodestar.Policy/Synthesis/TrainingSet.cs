// Writes the synthetic training set: the checkpoint's labels deduplicated and in plan order, each with
// its provenance (policy version, labeler, date, sampling strategy), plus a manifest beside it.
using System.Text.Json;
using System.Text.Json.Serialization;
using Lodestar.Core;
using Lodestar.Data.Storage;
using Lodestar.Policy.Labeling;

namespace Lodestar.Policy.Synthesis;

public sealed record TrainingSetManifest(
    string PolicyVersion,
    string Labeler,
    string CreatedAt,
    int Pairs,
    int DuplicatesDropped,
    IReadOnlyDictionary<string, int> Strategies,
    SamplerConfig Sampler,
    string Source);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(TrainingSetManifest))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;

public static class TrainingSet
{
    public static TrainingSetManifest Write(string path, IReadOnlyList<SampledPair> plan, IReadOnlyList<LabeledPair> labels, string policyVersion, string labeler, SamplerConfig sampler, string source)
    {
        var order = plan.Select((p, i) => (p.Pair.Key, i)).ToDictionary(x => x.Key, x => x.i);
        var unique = labels.Where(l => order.ContainsKey(l.Pair) && l.PolicyVersion == policyVersion && l.Annotator == labeler).GroupBy(l => l.Pair).Select(g => g.First()).OrderBy(l => order[l.Pair]).ToList();
        var manifest = new TrainingSetManifest(
            policyVersion,
            labeler,
            DateTime.UtcNow.ToString("O"),
            unique.Count,
            labels.Count(l => l.PolicyVersion == policyVersion && l.Annotator == labeler) - unique.Count,
            unique.GroupBy(l => l.Sample ?? "?").OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            sampler,
            source);
        FileWithManifest.Write(path, () => LabelFile.Write(path, unique), () => JsonSerializer.SerializeToUtf8Bytes(manifest, ManifestJsonContext.Default.TrainingSetManifest));
        return manifest;
    }
}
