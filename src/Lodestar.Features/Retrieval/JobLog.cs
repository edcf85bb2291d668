// A world's job log indexed for retrieval of job candidates: every job with the day it was posted (jobs posted before
// the window exist from its first day), every member's job events in time order (an apply is the engagement; a view
// or a dismissal without one that day is a job shown and passed over), and each job's views and applies by day, so
// its counts as of any day come from events before that day only.
using Lodestar.Core;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;

namespace Lodestar.Features.Retrieval;

public sealed class JobLog : IRetrievalLog
{
    private static readonly JobEvent[] s_none = [];
    private readonly Dictionary<long, JobEvent[]> _byMember;
    private readonly Dictionary<long, (int[] ViewDays, int[] ApplyDays)> _byJob;
    private readonly ItemsByDay _jobsByDay;

    private JobLog(IReadOnlyDictionary<long, Job> jobs, Dictionary<long, JobEvent[]> byMember, Dictionary<long, (int[], int[])> byJob)
    {
        Jobs = jobs;
        _byMember = byMember;
        _byJob = byJob;
        _jobsByDay = new ItemsByDay(jobs.Values.Select(j => (j.Id, j.PostedDay)));
        (FirstDay, LastDay) = ItemsByDay.Span(byMember.Values.SelectMany(e => e).Select(e => e.Day));
        Events = byMember.Values.Sum(e => (long)e.Length);
    }

    public IReadOnlyDictionary<long, Job> Jobs { get; }

    public IEnumerable<long> Members => _byMember.Keys;

    public int FirstDay { get; }

    public int LastDay { get; }

    public long Events { get; }

    /// <summary>Reads jobs.jsonl and job_events.jsonl of a world (or any data directory in the same schema).</summary>
    public static JobLog Load(string directory)
    {
        ManifestFile.Read(directory);
        foreach (var file in new[] { DataFiles.Jobs, DataFiles.JobEvents })
        {
            if (!File.Exists(Path.Combine(directory, file)))
            {
                throw new FileNotFoundException($"{Path.Combine(directory, file)}: the job log needs it (write a world with `lodestar world generate`)");
            }
        }
        return From(
            JsonlReader.Read(Path.Combine(directory, DataFiles.Jobs), DataJson.Compact.Job),
            JsonlReader.Read(Path.Combine(directory, DataFiles.JobEvents), DataJson.Compact.JobEvent),
            Path.Combine(directory, DataFiles.JobEvents));
    }

    /// <summary>Indexes jobs and events; an event of a job not among them is an error naming it.</summary>
    public static JobLog From(IEnumerable<Job> jobs, IEnumerable<JobEvent> events, string origin = "job log")
    {
        var jobsById = new Dictionary<long, Job>();
        foreach (var job in jobs)
        {
            jobsById[job.Id] = job;
        }
        var byMember = new Dictionary<long, List<JobEvent>>();
        var byJob = new Dictionary<long, (List<int> Views, List<int> Applies)>();
        foreach (var jobEvent in events)
        {
            if (!jobsById.ContainsKey(jobEvent.JobId))
            {
                throw new InvalidDataException($"{origin}: event {jobEvent.Id} is of job {jobEvent.JobId}, which is not among the jobs");
            }
            if (!byMember.TryGetValue(jobEvent.MemberId, out var list))
            {
                byMember[jobEvent.MemberId] = list = [];
            }
            list.Add(jobEvent);
            if (!byJob.TryGetValue(jobEvent.JobId, out var days))
            {
                byJob[jobEvent.JobId] = days = ([], []);
            }
            if (jobEvent.Action != JobAction.Dismiss)
            {
                (jobEvent.Action == JobAction.Apply ? days.Applies : days.Views).Add(jobEvent.Day);
            }
        }
        return new JobLog(
            jobsById,
            byMember.ToDictionary(p => p.Key, p => p.Value.OrderBy(e => e.Time).ThenBy(e => e.Id).ToArray()),
            byJob.ToDictionary(p => p.Key, p => (p.Value.Views.Order().ToArray(), p.Value.Applies.Order().ToArray())));
    }

    /// <summary>Every job event of the member, oldest first.</summary>
    public IReadOnlyList<JobEvent> EventsOfMember(long member) => _byMember.GetValueOrDefault(member) ?? s_none;

    /// <summary>The jobs the member applied to before <paramref name="day"/>, oldest first.</summary>
    public IEnumerable<long> AppliedBefore(long member, int day) =>
        EventsOfMember(member).TakeWhile(e => e.Day < day).Where(e => e.Action == JobAction.Apply).Select(e => e.JobId);

    /// <summary>Views and applies of the job before <paramref name="day"/> (a dismissal follows a view and is not counted again).</summary>
    public (long Views, long Applies) CountsBefore(long job, int day) =>
        _byJob.TryGetValue(job, out var days) ? (SortedSearch.LowerBound(days.ViewDays, day), SortedSearch.LowerBound(days.ApplyDays, day)) : (0, 0);

    /// <summary>Jobs posted on or before <paramref name="day"/>, by posting day then id.</summary>
    public ReadOnlySpan<long> ItemsCreatedBy(int day) => _jobsByDay.CreatedBy(day);

    public IEnumerable<RetrievalEvent> EventsOf(long member) =>
        EventsOfMember(member).Select(e => new RetrievalEvent(e.Day, e.JobId, e.Action == JobAction.Apply));

    public int EngagementsBefore(long member, int day) => AppliedBefore(member, day).Count();

    public long ItemEngagementsBefore(long item, int day) => CountsBefore(item, day).Applies;
}
