// Engagement counters a click teacher may read and the student does not: the past apply rates of the company,
// the job and the member, counted from job events strictly before the example's time, rendered as decile tokens.
using Lodestar.Core;
using System.Globalization;
using System.Runtime.InteropServices;
using Lodestar.Data.Schema;
using Lodestar.Text.Prompts;

namespace Lodestar.Features.JobMatching;

/// <summary>
/// Apply rates before a time, smoothed towards the world's overall apply rate with a prior of a few views
/// (company 5, job 3, member 2), so a new company reads as average rather than as 0 or 1. The rates become
/// deciles fitted on the training split's viewed examples ("numbers become percentile-bucket tokens").
/// </summary>
public sealed class EngagementFeatures
{
    private const int Buckets = 10;
    private static readonly string[] Names = ["company apply", "job apply", "member apply", "member views"];

    private readonly Counter companies = new(priorViews: 5);
    private readonly Counter jobs = new(priorViews: 3);
    private readonly Counter members = new(priorViews: 2);
    private readonly Func<long, long> companyOf;
    private readonly double applyRate;
    private PercentileDistribution[]? deciles;

    /// <param name="events">Every job event of the world (views and applies are counted; other actions are ignored).</param>
    /// <param name="companyOf">The company of a job id.</param>
    public EngagementFeatures(IReadOnlyList<JobEvent> events, Func<long, long> companyOf)
    {
        this.companyOf = companyOf;
        foreach (var e in events.OrderBy(e => e.Time).ThenBy(e => e.Id))
        {
            if (e.Action is not (JobAction.View or JobAction.Apply))
            {
                continue;
            }
            var apply = e.Action == JobAction.Apply;
            companies.Add(companyOf(e.JobId), e.Time, apply);
            jobs.Add(e.JobId, e.Time, apply);
            members.Add(e.MemberId, e.Time, apply);
        }
        var views = companies.TotalViews;
        applyRate = views == 0 ? 0 : (double)companies.TotalApplies / views;
    }

    /// <summary>The four raw figures (company, job and member apply rate, member's view count) from events before <paramref name="time"/>.</summary>
    public double[] Raw(long memberId, long jobId, long time) =>
    [
        companies.Rate(companyOf(jobId), time, applyRate),
        jobs.Rate(jobId, time, applyRate),
        members.Rate(memberId, time, applyRate),
        members.Views(memberId, time),
    ];

    /// <summary>Fits the deciles of each figure on the given (member, job, time) points, the training split's views.</summary>
    public void Fit(IEnumerable<(long Member, long Job, long Time)> points)
    {
        var raw = points.Select(p => Raw(p.Member, p.Job, p.Time)).ToList();
        if (raw.Count == 0)
        {
            throw new InvalidOperationException("engagement features: no training views to fit deciles on");
        }
        deciles = Enumerable.Range(0, Names.Length).Select(f => PercentileDistribution.Fit(Names[f], raw.Select(r => r[f]), Buckets)).ToArray();
    }

    /// <summary>
    /// The deciles in the prompt library's own markers (one token each), e.g.
    /// "&lt;company&gt;&lt;apply_percentile&gt;7&lt;/apply_percentile&gt;&lt;/company&gt;&lt;job&gt;…&lt;/job&gt;&lt;member&gt;…&lt;view_percentile&gt;8&lt;/view_percentile&gt;&lt;/member&gt;".
    /// </summary>
    public string Text(long memberId, long jobId, long time)
    {
        var fitted = deciles ?? throw new InvalidOperationException("engagement features: Fit must run before Text");
        var raw = Raw(memberId, jobId, time);
        var b = new int[raw.Length];
        for (var f = 0; f < raw.Length; f++)
        {
            b[f] = fitted[f].Bucket(raw[f]);
        }
        return string.Create(CultureInfo.InvariantCulture,
            $" <company><apply_percentile>{b[0]}</apply_percentile></company><job><apply_percentile>{b[1]}</apply_percentile></job><member><apply_percentile>{b[2]}</apply_percentile><view_percentile>{b[3]}</view_percentile></member>");
    }

    /// <summary>Per entity: sorted event times of views and of applies; counts before a time by binary search.</summary>
    private sealed class Counter(int priorViews)
    {
        private readonly Dictionary<long, (List<long> Views, List<long> Applies)> byId = [];

        public long TotalViews { get; private set; }

        public long TotalApplies { get; private set; }

        public void Add(long id, long time, bool apply)
        {
            if (!byId.TryGetValue(id, out var lists))
            {
                lists = ([], []);
                byId[id] = lists;
            }
            (apply ? lists.Applies : lists.Views).Add(time);
            if (apply)
            {
                TotalApplies++;
            }
            else
            {
                TotalViews++;
            }
        }

        public double Rate(long id, long time, double prior)
        {
            if (!byId.TryGetValue(id, out var lists))
            {
                return prior;
            }
            return (Before(lists.Applies, time) + (prior * priorViews)) / (Before(lists.Views, time) + priorViews);
        }

        public double Views(long id, long time) => byId.TryGetValue(id, out var lists) ? Before(lists.Views, time) : 0;

        // Events strictly before the time (times were added in ascending order).
        private static int Before(List<long> times, long time) => SortedSearch.LowerBound<long>(CollectionsMarshal.AsSpan(times), time);
    }
}
