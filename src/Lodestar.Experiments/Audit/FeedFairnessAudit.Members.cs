// The member side of the feed audit: what the ranker's view of a member tells about their protected attributes (a
// probe on the member's scores for a fixed set of posts), and the proof by counterfactual that it never reads them.
using Lodestar.Core;
using Lodestar.Core.Progress;
using Lodestar.Data.GroundTruth;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Evaluation.Fairness;
using Lodestar.Features.FeedRanking;
using Lodestar.Training.FeedRanking;

namespace Lodestar.Experiments.Audit;

public static partial class FeedFairnessAudit
{
    /// <summary>The gender whose noisy copy is handed to the proxy-given representation.</summary>
    public const string ProxiedGender = "female";

    private const ulong ProxyNoiseStream = 0xA0D17;

    private static List<ProbeAudit> AuditProbes(FinishedFeedRun run, Dictionary<long, MemberAudit> audit, FairnessThresholds thresholds, ulong seed, IProgressReporter? progress)
    {
        var firstDay = new SortedDictionary<long, int>();
        foreach (var day in run.Examples.Test)
        {
            if (!firstDay.TryGetValue(day.MemberId, out var known) || day.Day < known)
            {
                firstDay[day.MemberId] = day.Day;
            }
        }
        var members = firstDay.Keys.Where(audit.ContainsKey).ToArray();
        var testStart = run.Examples.Boundaries.TestStart;
        var probePosts = run.Log.Posts.Keys
            .Select(id => (Id: id, Shown: run.Log.CountsBefore(id, testStart).Impressions))
            .OrderByDescending(p => p.Shown).ThenBy(p => p.Id).Take(ProbePosts).Select(p => p.Id).ToArray();

        // The ranker's view of each member: its rank value of every probe post, scored on the member's first test day.
        var features = new FeedRankingFeatures(run.Log);
        var start = ManifestFile.StartSeconds(run.Config.World);
        var width = probePosts.Length;
        var modelRows = new float[members.Length * width];
        var counter = progress is null ? null : ProgressCounter.Start(progress, "probe", members.Length);
        for (var i = 0; i < members.Length; i++)
        {
            var day = firstDay[members[i]];
            var request = features.Request(members[i], day, start + (day * 86_400L), probePosts, run.Model.Config.MaxHistory);
            var values = Values(run.Model.Score(request.History, request.Candidates, run.Model.Config.FusedFeatures == 0 ? [] : request.Features));
            for (var k = 0; k < width; k++)
            {
                modelRows[(i * width) + k] = (float)values[k];
            }
            counter?.Advance();
        }

        // The same view given a proxy on purpose: one more column, the member's gender plus unit Gaussian noise.
        var noise = new SeededRandom(SeededRandom.DeriveSeed(seed, ProxyNoiseStream, 0));
        var proxyRows = new float[members.Length * (width + 1)];
        for (var i = 0; i < members.Length; i++)
        {
            modelRows.AsSpan(i * width, width).CopyTo(proxyRows.AsSpan(i * (width + 1)));
            proxyRows[(i * (width + 1)) + width] = (float)((audit[members[i]].Gender == ProxiedGender ? 1 : 0) + noise.NextGaussian());
        }

        var profiles = JsonlReader.Read(Path.Combine(run.Config.World, DataFiles.Members), DataJson.Compact.Member).ToDictionary(m => m.Id);
        var professional = new float[members.Length * 2];
        for (var i = 0; i < members.Length; i++)
        {
            var profile = profiles.GetValueOrDefault(members[i]) ?? throw new ArgumentException($"{Path.Combine(run.Config.World, DataFiles.Members)}: no member {members[i]}, who has test impressions");
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

    /// <summary>
    /// Opens the run again on a copy of its world in which every member's gender and age band are changed, and
    /// compares every test input (history, candidates, features, actions) and every score with the original's.
    /// </summary>
    private static InvarianceCheck CheckInvariance(string runDirectory, FinishedFeedRun run, List<float[]> scores)
    {
        var copy = Directory.CreateTempSubdirectory("lodestar-audit-world-").FullName;
        try
        {
            var changed = CopyWithChangedAttributes(run.Config.World, copy);
            var other = FeedRankingRun.Open(runDirectory, copy);
            var otherScores = ModelScores(other, other.Examples.Test, progress: null);
            long inputsDiffering = Math.Abs(other.Examples.Test.Count - run.Examples.Test.Count);
            long scoresCompared = 0;
            long scoresDiffering = 0;
            for (var d = 0; d < Math.Min(run.Examples.Test.Count, other.Examples.Test.Count); d++)
            {
                var (a, b) = (run.Examples.Test[d], other.Examples.Test[d]);
                var same = a.MemberId == b.MemberId && a.Day == b.Day && a.HistoryCount == b.HistoryCount
                    && a.History.SequenceEqual(b.History) && a.Candidates.SequenceEqual(b.Candidates) && a.ImpressionIds.SequenceEqual(b.ImpressionIds)
                    && a.Actions.SequenceEqual(b.Actions) && BitwiseEqual(a.Features, b.Features);
                inputsDiffering += same ? 0 : 1;
                scoresCompared += scores[d].Length;
                for (var k = 0; k < Math.Min(scores[d].Length, otherScores[d].Length); k++)
                {
                    scoresDiffering += BitConverter.SingleToInt32Bits(scores[d][k]) == BitConverter.SingleToInt32Bits(otherScores[d][k]) ? 0 : 1;
                }
                scoresDiffering += Math.Abs(scores[d].Length - otherScores[d].Length);
            }
            return new InvarianceCheck("every member's gender rotated to the next value and age band moved to the next band", changed,
                run.Examples.Test.Count, inputsDiffering, scoresCompared, scoresDiffering);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private static bool BitwiseEqual(float[] a, float[] b) =>
        a.Length == b.Length && a.Select(BitConverter.SingleToInt32Bits).SequenceEqual(b.Select(BitConverter.SingleToInt32Bits));

    /// <summary>Links every file of <paramref name="world"/> into <paramref name="copy"/> but the audit file, rewritten changed; returns the members changed.</summary>
    private static long CopyWithChangedAttributes(string world, string copy)
    {
        string[] genders = ["female", "male", "non_binary", "undisclosed"];
        string[] ages = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"];
        foreach (var entry in Directory.EnumerateFileSystemEntries(world))
        {
            if (Path.GetFileName(entry) != DataFiles.GroundTruthDirectory)
            {
                File.CreateSymbolicLink(Path.Combine(copy, Path.GetFileName(entry)), Path.GetFullPath(entry));
            }
        }
        var truth = Path.Combine(copy, DataFiles.GroundTruthDirectory);
        Directory.CreateDirectory(truth);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(world, DataFiles.GroundTruthDirectory)))
        {
            if (Path.GetFileName(file) != TruthFiles.Audit)
            {
                File.CreateSymbolicLink(Path.Combine(truth, Path.GetFileName(file)), Path.GetFullPath(file));
            }
        }
        var changed = JsonlReader.Read(Path.Combine(world, DataFiles.GroundTruthDirectory, TruthFiles.Audit), TruthJsonContext.Default.MemberAudit)
            .Select(a => a with
            {
                Gender = genders[(Array.IndexOf(genders, a.Gender) + 1) % genders.Length],
                AgeBand = ages[(Array.IndexOf(ages, a.AgeBand) + 1) % ages.Length],
            });
        return JsonlReader.WriteAll(Path.Combine(truth, TruthFiles.Audit), TruthJsonContext.Default.MemberAudit, changed);
    }
}
