// The proxy probes of one model: for every protected attribute value with enough members on both sides, a probe on
// the model's view of each member (its scores for a fixed set of items), the same view handed a gender proxy on
// purpose (the injected failure the threshold must catch), and the reference probe on the member's professional
// signals (years of experience, seniority), which a model may read.
using Lodestar.Core;
using Lodestar.Data.GroundTruth;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Evaluation.Fairness;

namespace Lodestar.Experiments.Audit;

/// <summary>A probe of one attribute value (one against the rest) from one representation, beside the professional-signals probe.</summary>
public sealed record ProbeAudit(string Representation, string Attribute, string Value, ProbeResult Probe, ProbeResult Reference, bool Flagged);

public static class MemberProbes
{
    /// <summary>The gender whose noisy copy is handed to the proxy-given representation.</summary>
    public const string ProxiedGender = "female";

    /// <summary>Items every member is scored on for the probe.</summary>
    public const int ProbeItems = 32;

    private const ulong ProxyNoiseStream = 0xA0D17;

    /// <param name="modelRows">(N·width): the model's view of each of <paramref name="members"/>.</param>
    public static List<ProbeAudit> Measure(string world, IReadOnlyList<long> members, float[] modelRows, int width,
        IReadOnlyDictionary<long, MemberAudit> audit, FairnessThresholds thresholds, ulong seed)
    {
        // The same view given a proxy on purpose: one more column, the member's gender plus unit Gaussian noise.
        var noise = new SeededRandom(SeededRandom.DeriveSeed(seed, ProxyNoiseStream, 0));
        var proxyRows = new float[members.Count * (width + 1)];
        for (var i = 0; i < members.Count; i++)
        {
            modelRows.AsSpan(i * width, width).CopyTo(proxyRows.AsSpan(i * (width + 1)));
            proxyRows[(i * (width + 1)) + width] = (float)((audit[members[i]].Gender == ProxiedGender ? 1 : 0) + noise.NextGaussian());
        }

        var membersPath = Path.Combine(world, DataFiles.Members);
        var profiles = JsonlReader.Read(membersPath, DataJson.Compact.Member).ToDictionary(m => m.Id);
        var professional = new float[members.Count * 2];
        for (var i = 0; i < members.Count; i++)
        {
            var profile = profiles.GetValueOrDefault(members[i]) ?? throw new ArgumentException($"{membersPath}: no member {members[i]}, whom the audit scores");
            professional[i * 2] = profile.YearsOfExperience;
            professional[(i * 2) + 1] = (int)profile.Seniority;
        }

        var representations = new (string Name, float[] Rows, int Width)[]
        {
            ("model-scores", modelRows, width),
            ($"model-scores+{ProxiedGender}-proxy", proxyRows, width + 1),
        };
        var attributes = new (string Name, Func<MemberAudit, string> Of)[] { ("gender", a => a.Gender), ("age", a => a.AgeBand) };
        var probes = new List<ProbeAudit>();
        foreach (var (attribute, of) in attributes)
        {
            foreach (var value in members.Select(m => of(audit[m])).Distinct().Order(StringComparer.Ordinal))
            {
                var labels = members.Select(m => of(audit[m]) == value ? 1 : 0).ToArray();
                var positives = labels.Sum();
                if (positives < thresholds.MinimumClass || labels.Length - positives < thresholds.MinimumClass)
                {
                    continue;
                }
                var reference = ProxyProbe.Measure(professional, 2, labels, seed);
                foreach (var (name, rows, dimension) in representations)
                {
                    var probe = ProxyProbe.Measure(rows, dimension, labels, seed);
                    probes.Add(new ProbeAudit(name, attribute, value, probe, reference, thresholds.ProbeFlagged(probe, reference)));
                }
            }
        }
        return probes;
    }
}
