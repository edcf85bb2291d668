// The job side of the world a server answers from, and the first stage of a member's job matches: the open jobs a
// member may take (every hard requirement met, the place workable) that share required skills or the occupation
// with the profile, from inverted lists over required skills and occupations, so a request touches the jobs that
// could match instead of every job. The distilled student then scores the best of them.
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Policy;
using Lodestar.Policy.Expressions;
using Lodestar.Text.Prompts;

namespace Lodestar.Serving.Jobs;

/// <summary>A job the first stage hands the student: how many of its required skills the profile names and whether the
/// occupation is the member's. <paramref name="Score"/> is the share of required skills present, plus 0.5 for the same occupation.</summary>
public readonly record struct JobCandidate(Job Job, int Rank, float Score, int SkillsMatched, bool SameOccupation);

/// <summary>The first stage's count of what it looked at for one member, so an answer can say why a job is not there.</summary>
public sealed record CandidateCounts(int Considered, int NotOpen, int MissingRequirement, int ElsewhereOnSite, int AlreadyActed, int Eligible);

public sealed class JobCatalog
{
    private const long SecondsPerDay = 86_400;

    private readonly Job[] _jobs;
    private readonly Dictionary<string, int[]> _byRequiredSkill;
    private readonly Dictionary<int, int[]> _byOccupation;
    private readonly Dictionary<long, HashSet<long>> _acted;
    private readonly long _startSeconds;

    /// <param name="events">The world's job events: a job a member applied to or dismissed is not offered again.</param>
    /// <param name="startSeconds">Unix seconds of the world's day 0, to turn the service's clock into a day.</param>
    public JobCatalog(WorldSnapshot world, IReadOnlyList<JobEvent> events, long startSeconds)
    {
        World = world;
        Events = events;
        _startSeconds = startSeconds;
        _jobs = [.. world.Jobs.Values.OrderBy(j => j.Id)];
        _byRequiredSkill = Postings(_jobs, job => job.RequiredSkills.Select(Key), StringComparer.Ordinal);
        _byOccupation = Postings(_jobs, job => [job.OccupationId], EqualityComparer<int>.Default);
        _acted = events.Where(e => e.Action != JobAction.View).GroupBy(e => e.MemberId).ToDictionary(g => g.Key, g => g.Select(e => e.JobId).ToHashSet());
    }

    /// <summary>The world whose jobs, companies and job events the catalog holds (the match prompts render pairs from it).</summary>
    public WorldSnapshot World { get; }

    public IReadOnlyList<JobEvent> Events { get; }

    /// <summary>The catalog of a world directory: its records, its job events and its day 0.</summary>
    public static JobCatalog Load(string worldDirectory, WorldSnapshot world) =>
        new(world, Features.JobMatching.MatchPrompts.ReadEvents(worldDirectory), ManifestFile.StartSeconds(worldDirectory));

    /// <summary>The world's day of a Unix time.</summary>
    public int DayOf(long unixSeconds) => (int)Math.Floor((unixSeconds - _startSeconds) / (double)SecondsPerDay);

    /// <summary>
    /// Up to <paramref name="count"/> jobs for <paramref name="member"/> on <paramref name="day"/>, best first stage score
    /// first (ties: newer, then lower id). A job is eligible when it was posted within <paramref name="openDays"/> days up
    /// to the day, the profile states every hard requirement (licences, certifications, work authorisations: the policy
    /// caps a job with one missing at "poor"), it is remote or in the member's country (the policy's other cap), and the
    /// member has not applied to or dismissed it; and it shares a required skill or the occupation with the profile.
    /// </summary>
    public (JobCandidate[] Candidates, CandidateCounts Counts) Candidates(Member member, int day, int openDays, int count)
    {
        var matched = new Dictionary<int, int>();
        foreach (var skill in member.Skills.Select(Key).Distinct(StringComparer.Ordinal))
        {
            if (_byRequiredSkill.TryGetValue(skill, out var jobs))
            {
                foreach (var j in jobs)
                {
                    matched[j] = matched.GetValueOrDefault(j) + 1;
                }
            }
        }
        if (_byOccupation.TryGetValue(member.OccupationId, out var sameOccupation))
        {
            foreach (var j in sameOccupation)
            {
                matched.TryAdd(j, 0);
            }
        }
        var qualifications = PairFields.Derived(member).Qualifications;
        var acted = _acted.GetValueOrDefault(member.Id);
        int notOpen = 0, missing = 0, elsewhere = 0, actedOn = 0;
        var eligible = new List<JobCandidate>(matched.Count);
        foreach (var (j, skills) in matched)
        {
            var job = _jobs[j];
            switch (Refusal(job, member, qualifications, acted, day, openDays))
            {
                case Refused.NotOpen:
                    notOpen++;
                    break;
                case Refused.MissingRequirement:
                    missing++;
                    break;
                case Refused.ElsewhereOnSite:
                    elsewhere++;
                    break;
                case Refused.AlreadyActed:
                    actedOn++;
                    break;
                default:
                    var same = job.OccupationId == member.OccupationId;
                    var score = (job.RequiredSkills.Count == 0 ? 0f : skills / (float)job.RequiredSkills.Count) + (same ? 0.5f : 0f);
                    eligible.Add(new JobCandidate(job, 0, score, skills, same));
                    break;
            }
        }
        var best = eligible.OrderByDescending(c => c.Score).ThenByDescending(c => c.Job.PostedDay).ThenBy(c => c.Job.Id).Take(count)
            .Select((c, i) => c with { Rank = i + 1 }).ToArray();
        return (best, new CandidateCounts(matched.Count, notOpen, missing, elsewhere, actedOn, eligible.Count));
    }

    /// <summary>
    /// Every job <paramref name="member"/> could be offered on <paramref name="day"/> whatever it shares with the profile:
    /// the jobs the first stage's lists would have to find (what its recall is measured against).
    /// </summary>
    public IEnumerable<Job> Eligible(Member member, int day, int openDays)
    {
        var qualifications = PairFields.Derived(member).Qualifications;
        var acted = _acted.GetValueOrDefault(member.Id);
        return _jobs.Where(job => Refusal(job, member, qualifications, acted, day, openDays) == Refused.None);
    }

    private enum Refused
    {
        None,
        NotOpen,
        MissingRequirement,
        ElsewhereOnSite,
        AlreadyActed,
    }

    /// <summary>Why a job is not offered: not posted within the open days, a hard requirement the profile lacks, on site abroad, or acted on already.</summary>
    private static Refused Refusal(Job job, Member member, IReadOnlyList<string> qualifications, HashSet<long>? acted, int day, int openDays)
    {
        if (job.PostedDay > day || (openDays > 0 && job.PostedDay <= day - openDays))
        {
            return Refused.NotOpen;
        }
        if (PolicyFunctions.Missing(qualifications, PairFields.Derived(job).HardRequirementValues) > 0)
        {
            return Refused.MissingRequirement;
        }
        if (job.Workplace != WorkplaceType.Remote && !string.Equals(job.Location.Country, member.Location.Country, StringComparison.OrdinalIgnoreCase))
        {
            return Refused.ElsewhereOnSite;
        }
        return acted?.Contains(job.Id) == true ? Refused.AlreadyActed : Refused.None;
    }

    /// <summary>A skill as the catalog's lists compare it.</summary>
    internal static string Key(string skill) => skill.Trim().ToLowerInvariant();

    private static Dictionary<TKey, int[]> Postings<TKey>(Job[] jobs, Func<Job, IEnumerable<TKey>> keys, IEqualityComparer<TKey> comparer)
        where TKey : notnull
    {
        var lists = new Dictionary<TKey, List<int>>(comparer);
        for (var j = 0; j < jobs.Length; j++)
        {
            foreach (var key in keys(jobs[j]).Distinct(comparer))
            {
                if (!lists.TryGetValue(key, out var list))
                {
                    lists[key] = list = [];
                }
                list.Add(j);
            }
        }
        return lists.ToDictionary(p => p.Key, p => p.Value.ToArray(), comparer);
    }
}
