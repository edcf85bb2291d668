// The two sides of job candidate retrieval as prompts on a given day, from the prompt library: a member's profile (the
// member template) and a job (the job template: title, company, requirements, description) whose views and apply rate
// are counted from events before that day and written as percentile tokens fitted on jobs posted before the first
// validation day, counted from events before it; nothing from a later day reaches a prompt.
using Lodestar.Data.Schema;
using Lodestar.Text.Prompts;
using Lodestar.Text.Tokenization;

namespace Lodestar.Features.Retrieval;

public sealed class JobRetrievalPrompts : TemplatePrompts
{
    public const string MemberTemplate = "member";

    public const string JobTemplate = "job";

    private readonly WorldSnapshot _world;
    private readonly JobLog _log;
    private readonly LibraryEntry _member;
    private readonly LibraryEntry _job;

    /// <param name="fitBefore">Job percentiles are fitted on jobs posted before this day with their counts from events before it.</param>
    /// <param name="memberTokens">When given, the member template's budget.</param>
    /// <param name="jobTokens">When given, the job template's budget (the description is cut first).</param>
    public JobRetrievalPrompts(WorldSnapshot world, JobLog log, PromptLibrary library, IPromptTokenizer tokenizer, int fitBefore, int? memberTokens = null, int? jobTokens = null)
        : base(tokenizer)
    {
        _world = world;
        _log = log;
        // Profiles are no engagement: the member percentiles (years of experience) are fitted on every member of the world.
        var member = WithBudget(library.Get(MemberTemplate), memberTokens);
        _member = member with { Percentiles = PercentileFitter.Fit(member.Template, world, "every member's profile") };
        var job = WithBudget(library.Get(JobTemplate), jobTokens);
        var population = log.Jobs.Values.Where(j => j.PostedDay < fitBefore).OrderBy(j => j.Id)
            .Select(j => (IReadOnlyDictionary<string, PromptValue>)Attributes(j, fitBefore)).ToList();
        _job = job with
        {
            Percentiles = PercentileFitter.Fit(job.Template, prefix => prefix == "job." ? population : [], $"{log.Jobs.Count} jobs before day {fitBefore}",
                $"jobs posted before day {fitBefore}, counts from events before it"),
        };
    }

    /// <summary>The member's profile as of the start of <paramref name="day"/>, with the applies it made before that day.</summary>
    public RenderedPrompt Member(long member, int day)
    {
        var attributes = PromptSubjects.MemberAttributes(_world, _world.Member(member));
        attributes["member.positive_engagements"] = PromptValue.OfNumber(_log.EngagementsBefore(member, day));
        return RenderMember(_member, new PromptSubject($"member {member} on day {day}", attributes, []), day);
    }

    /// <summary>The job as of the start of <paramref name="day"/>: its views and applies from events before it, its age then.</summary>
    public RenderedPrompt Job(long job, int day)
    {
        var record = _log.Jobs.TryGetValue(job, out var found) ? found : throw new KeyNotFoundException($"job {job} is not in the job log's {DataFiles.Jobs}");
        return RenderItem(_job, new PromptSubject($"job {job} on day {day}", Attributes(record, day), []), day);
    }

    public override int[] MemberTokens(long member, int day) => Encode(Member(member, day));

    public override int[] ItemTokens(long item, int day) => Encode(Job(item, day));

    private Dictionary<string, PromptValue> Attributes(Job job, int day)
    {
        var attributes = PromptSubjects.JobAttributes(_world, job);
        var (views, applies) = _log.CountsBefore(job.Id, day);
        attributes["job.views"] = PromptValue.OfNumber(views);
        attributes["job.applies"] = PromptValue.OfNumber(applies);
        attributes["job.apply_rate"] = PromptValue.OfNumber(applies / (double)Math.Max(1, views));
        return attributes;
    }
}
