// A member's job matches, as LinkedIn's policy-anchored job matching serves them: the first stage's eligible jobs
// (hard requirements met, place workable, sharing skills or the occupation), then the distilled student scores them
// all in one pass, each pair rendered by the same prompts its training pairs were rendered by, from the member's
// profile as the store holds it now. The order is the policy's overall score as the student predicts it.
using System.Globalization;
using System.Runtime.CompilerServices;
using Lodestar.Data.Schema;
using Lodestar.Features.JobMatching;
using Lodestar.Pipelines.Store;
using Lodestar.Serving.Http;
using Lodestar.Text.Prompts;

namespace Lodestar.Serving.Jobs;

public sealed class JobService(ServingOptions options, INearlineReader reader, JobCatalog catalog, ServingClock clock)
{
    // The prompts of each student in service: built once per loaded student (its tokenizer and token budget), so a
    // hot swap brings its own and the previous one's go with it.
    private readonly ConditionalWeakTable<JobStudent, MatchPrompts> _prompts = new();

    /// <summary>
    /// The first <paramref name="limit"/> of the member's job matches, or null when the store holds no such member.
    /// Each stage's time is lapped on <paramref name="timer"/>.
    /// </summary>
    public JobsAnswer? Jobs(JobStudent student, long memberId, int limit, StageTimer timer)
    {
        if (reader.Member(memberId) is not { } member)
        {
            return null;
        }
        var now = clock.Now;
        var day = catalog.DayOf(now);
        var (candidates, counts) = catalog.Candidates(member, day, options.JobOpenDays, options.JobCandidates);
        timer.Lap("candidates");

        var prompts = Prompts(student);
        float[] logits;
        if (student.Model.Config.IsolatedMember && candidates.Length > 0)
        {
            // The member's part once and every candidate after it in one pass (multi-item scoring).
            var memberTokens = prompts.EncodeMember(member, now);
            var jobTokens = new int[candidates.Length][];
            for (var i = 0; i < candidates.Length; i++)
            {
                jobTokens[i] = prompts.EncodeJob(member, candidates[i].Job.Id, now, day, memberTokens.Length);
            }
            timer.Lap("features");
            logits = MatchScorer.PredictCandidates(student.Model, memberTokens, jobTokens);
        }
        else
        {
            var examples = new MatchExample[candidates.Length];
            for (var i = 0; i < candidates.Length; i++)
            {
                examples[i] = MatchExample.Unlabelled(memberId, candidates[i].Job.Id, prompts.Encode(member, candidates[i].Job.Id, now, day), day);
            }
            timer.Lap("features");
            logits = MatchScorer.Predict(student.Model, examples);
        }
        timer.Lap("score");

        var layout = student.Model.Layout;
        var overall = new float[candidates.Length];
        var apply = new float[candidates.Length];
        for (var i = 0; i < candidates.Length; i++)
        {
            (overall[i], apply[i]) = MatchScorer.Heads(layout, logits.AsSpan(i * layout.Width, layout.Width));
        }
        // The policy's overall score first; the apply probability breaks ties, then the first stage's order.
        var order = Enumerable.Range(0, candidates.Length).OrderByDescending(i => overall[i]).ThenByDescending(i => apply[i]).ThenBy(i => i).Take(limit).ToArray();
        var matches = new JobMatch[order.Length];
        for (var r = 0; r < order.Length; r++)
        {
            var i = order[r];
            matches[r] = Match(student, r + 1, candidates[i], counts.Eligible, logits.AsSpan(i * layout.Width, layout.Width), overall[i], apply[i]);
        }
        return new JobsAnswer(memberId, now, day, student.Policy.Document.VersionKey, counts, candidates.Length, matches);
    }

    /// <summary>
    /// The prompts <paramref name="student"/> reads, built on first use (its job histories grouped from the world's events);
    /// a host builds them before a student goes into service, so no request pays for it.
    /// </summary>
    public MatchPrompts Prompts(JobStudent student) =>
        _prompts.GetValue(student, s => new MatchPrompts(catalog.World, catalog.Events, s.Tokenizer, s.Model.Config.MaxTokens, s.Spec.Data));

    private JobMatch Match(JobStudent student, int rank, JobCandidate candidate, int eligible, ReadOnlySpan<float> row, float overall, float apply)
    {
        var document = student.Policy.Document;
        var layout = student.Model.Layout;
        var dimensions = new DimensionLevel[document.Dimensions.Count];
        for (var d = 0; d < dimensions.Length; d++)
        {
            var dimension = document.Dimensions[d];
            var (best, probability) = MostProbable(row.Slice(layout.DimensionOffsets[d], layout.DimensionLevels[d]));
            var level = dimension.Scale.Min + best;
            dimensions[d] = new DimensionLevel(dimension.Id, dimension.Name, level, probability, dimension.Scale.Levels.GetValueOrDefault(level, ""));
        }
        var scale = document.Overall.Scale;
        var overallScore = scale.Min + (overall * (scale.Max - scale.Min));
        var overallLevel = scale.Clamp(overallScore);
        return new JobMatch(rank, candidate.Job.Id, overall, Math.Round(overallScore, 3), overallLevel, scale.Levels.GetValueOrDefault(overallLevel, ""), apply,
            candidate.Rank, View(candidate.Job), dimensions, Why(candidate, eligible, dimensions, apply));
    }

    /// <summary>A job as answers show it, with its company's name from the world.</summary>
    public JobView View(Job job) => new(job.Id, job.Title, catalog.World.Companies.GetValueOrDefault(job.CompanyId)?.Name ?? "",
        PromptSubjects.Place(job.Location),
        PromptSubjects.Words(job.Workplace), PromptSubjects.Words(job.Seniority), job.Industry, job.RequiredSkills,
        [.. job.HardRequirements.Select(h => $"{h.Kind.Replace('_', ' ')}: {h.Value}")], job.PostedDay);

    /// <summary>Why the job is offered, in words: the first stage's evidence, the hard requirements met, and the dimensions the student rates highest.</summary>
    private static IReadOnlyList<string> Why(JobCandidate candidate, int eligible, DimensionLevel[] dimensions, float apply)
    {
        var job = candidate.Job;
        var reasons = new List<string>
        {
            $"candidate #{candidate.Rank} of {eligible} eligible: {candidate.SkillsMatched} of {job.RequiredSkills.Count} required skills on your profile"
                + (candidate.SameOccupation ? ", your occupation" : ""),
        };
        if (job.HardRequirements.Count > 0)
        {
            reasons.Add($"you meet every hard requirement ({string.Join(", ", job.HardRequirements.Select(h => h.Value))})");
        }
        var strongest = dimensions.Where(d => d.Level == dimensions.Max(x => x.Level)).Take(2).Select(d => d.Name.ToLowerInvariant());
        reasons.Add($"strongest: {string.Join(" and ", strongest)}");
        reasons.Add(string.Create(CultureInfo.InvariantCulture, $"predicted apply {apply * 100:F0}%"));
        return reasons;
    }

    private static (int Index, float Probability) MostProbable(ReadOnlySpan<float> logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }
        var sum = 0.0;
        for (var i = 0; i < logits.Length; i++)
        {
            sum += Math.Exp(logits[i] - logits[best]);
        }
        return (best, (float)(1.0 / sum));
    }

}
