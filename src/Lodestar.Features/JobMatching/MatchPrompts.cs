// Renders a member–job pair into the tokens a match model reads: a compact pair prompt, how long ago the job
// was posted, optionally the engagement counters, and the member's recent job history before the moment of
// the view. The one place pairs become tokens, for training sets and for scoring a member's jobs alike.
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Text.Prompts;
using Lodestar.Text.Tokenization;

namespace Lodestar.Features.JobMatching;

public sealed class MatchPrompts
{
    /// <summary>The member fields of the compact pair prompt, in the order they are written.</summary>
    private static readonly string[] MemberFields =
    [
        "{ name: title, source: member.current_title, format: text, budget: 10, priority: 1 }",
        "{ name: seniority, source: member.seniority, format: category, budget: 4, priority: 1 }",
        "{ name: skills, source: member.skills, format: list, budget: 16, priority: 1 }",
        "{ name: credentials, source: member.credentials, format: list, budget: 6, priority: 2 }",
        "{ name: work_authorisations, source: member.work_authorisations, format: list, budget: 5, priority: 2 }",
        "{ name: location, source: member.location, format: category, budget: 6, priority: 2 }",
        "{ name: workplace, source: member.remote_preference, format: category, budget: 3, priority: 2 }",
    ];

    private static readonly string[] JobFields =
    [
        "{ name: job_title, source: job.title, format: text, budget: 10, priority: 1 }",
        "{ name: company, source: job.company, format: category, budget: 5, priority: 1 }",
        "{ name: job_seniority, source: job.seniority, format: category, budget: 4, priority: 1 }",
        "{ name: required_skills, source: job.required_skills, format: list, budget: 16, priority: 1 }",
        "{ name: requirements, source: job.hard_requirements, format: list, budget: 6, priority: 2 }",
        "{ name: job_location, source: job.location, format: category, budget: 6, priority: 2 }",
        "{ name: job_workplace, source: job.workplace, format: category, budget: 3, priority: 2 }",
    ];

    private readonly WorldSnapshot _world;
    private readonly BpeTokenizer _tokenizer;
    private readonly int _maxTokens;
    private readonly int _historyEvents;
    private readonly LibraryEntry _entry;
    private readonly PromptRenderer _renderer;
    private readonly Dictionary<long, JobEvent[]> _history;
    private readonly EngagementFeatures? _engagement;
    private readonly (LibraryEntry Member, LibraryEntry Job)? _parts;

    /// <param name="events">Every job event of the world: the members' histories, and the engagement counters when
    /// <see cref="MatchDataConfig.EngagementFeatures"/> is set (their deciles fitted on the training split's first views).</param>
    public MatchPrompts(WorldSnapshot world, IReadOnlyList<JobEvent> events, BpeTokenizer tokenizer, int maxTokens, MatchDataConfig config)
    {
        config.Validate();
        _world = world;
        _tokenizer = tokenizer;
        _maxTokens = maxTokens;
        _historyEvents = config.HistoryEvents;
        // A shorter pair prompt than the built-in one (no description or work history) so CPU training fits minutes.
        _entry = Template("match_pair", "pair", 88, [.. MemberFields, .. JobFields]);
        _renderer = new PromptRenderer(tokenizer, world.LastDay);
        if (config.MemberFirst)
        {
            _parts = (Template("match_member", "member", 44, MemberFields), Template("match_job", "job", 44, JobFields));
        }
        _history = events.Where(e => e.Action != JobAction.View).GroupBy(e => e.MemberId)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(e => e.Time).ThenByDescending(e => e.Id).ToArray());
        if (config.EngagementFeatures)
        {
            _engagement = new EngagementFeatures(events, jobId => world.Job(jobId).CompanyId);
            _engagement.Fit(FirstViews(events).Where(v => config.SplitOf(v.Member) == MatchSplit.Train));
        }
    }

    /// <summary>The world the prompts are rendered from.</summary>
    public WorldSnapshot World => _world;

    /// <summary>The prompts of a world directory: its records and job events.</summary>
    public static MatchPrompts Open(string worldDirectory, BpeTokenizer tokenizer, int maxTokens, MatchDataConfig config) =>
        new(WorldSnapshot.Load(worldDirectory), ReadEvents(worldDirectory), tokenizer, maxTokens, config);

    /// <summary>The prompt text of a pair seen at <paramref name="time"/> on <paramref name="day"/> (history and counters strictly before it).</summary>
    public string Text(long memberId, long jobId, long time, int day) => Text(_world.Member(memberId), jobId, time, day);

    /// <summary>The prompt text of a pair whose member profile is given (as a store holds it now, edits included).</summary>
    public string Text(Member member, long jobId, long time, int day)
    {
        if (_parts is not null)
        {
            return MemberText(member, time) + JobText(member, jobId, time, day);
        }
        return _renderer.Render(_entry, PromptSubjects.ForPair(_world, member, _world.Job(jobId))).Text
            + PostedText(jobId, day)
            + (_engagement?.Text(member.Id, jobId, time) ?? "")
            + HistoryText(_history.GetValueOrDefault(member.Id), jobId, time);
    }

    /// <summary>Whether pairs are rendered member first (MatchDataConfig.MemberFirst).</summary>
    public bool MemberFirst => _parts is not null;

    /// <summary>Tokens (T) of the pair's prompt cut and padded to the model's T, keep flags (T): 1 for a real token, and the
    /// member's tokens at its start when pairs are rendered member first (else 0).</summary>
    public EncodedPair Encode(long memberId, long jobId, long time, int day) => Encode(_world.Member(memberId), jobId, time, day);

    /// <summary>Tokens, keep flags and member tokens of a pair whose member profile is given.</summary>
    public EncodedPair Encode(Member member, long jobId, long time, int day)
    {
        var tokens = new int[_maxTokens];
        var keep = new byte[_maxTokens];
        if (_parts is not null)
        {
            var (memberIds, jobIds) = EncodeParts(member, jobId, time, day);
            memberIds.CopyTo(tokens, 0);
            jobIds.CopyTo(tokens, memberIds.Length);
            keep.AsSpan(0, memberIds.Length + jobIds.Length).Fill(1);
            return new EncodedPair(tokens, keep, memberIds.Length);
        }
        var ids = _tokenizer.Encode(Text(member, jobId, time, day));
        var length = Math.Min(ids.Length, _maxTokens);
        ids.AsSpan(0, length).CopyTo(tokens);
        keep.AsSpan(0, Math.Max(length, 1)).Fill(1);
        return new EncodedPair(tokens, keep, 0);
    }

    /// <summary>
    /// The member's tokens of a pair rendered member first (the member fields, then the job history before
    /// <paramref name="time"/>), cut to half the model's T so every job keeps the other half at least.
    /// </summary>
    public int[] EncodeMember(Member member, long time)
    {
        RequireMemberFirst();
        var ids = _tokenizer.Encode(MemberText(member, time));
        return ids.Length <= _maxTokens / 2 ? ids : ids[..(_maxTokens / 2)];
    }

    /// <summary>A job's tokens after a member's part of <paramref name="memberTokens"/> tokens, cut so the pair fits the model's T.</summary>
    public int[] EncodeJob(Member member, long jobId, long time, int day, int memberTokens)
    {
        RequireMemberFirst();
        var ids = _tokenizer.Encode(JobText(member, jobId, time, day));
        var room = Math.Max(1, _maxTokens - memberTokens);
        return ids.Length <= room ? ids : ids[..room];
    }

    private (int[] Member, int[] Job) EncodeParts(Member member, long jobId, long time, int day)
    {
        var memberIds = EncodeMember(member, time);
        return (memberIds, EncodeJob(member, jobId, time, day, memberIds.Length));
    }

    // The member's part holds the whole history before the moment (a lone pair's history leaves out events of its own
    // job, which would make the part differ by job). A viewed pair is unchanged by it (no first view has an earlier event
    // of its job); a pair shown as of the last day may now list its own job in the history.
    private string MemberText(Member member, long time) =>
        _renderer.Render(_parts!.Value.Member, new PromptSubject($"member {member.Id}", PromptSubjects.MemberAttributes(_world, member), [])).Text
        + HistoryText(_history.GetValueOrDefault(member.Id), jobId: -1, time);

    private string JobText(Member member, long jobId, long time, int day) =>
        _renderer.Render(_parts!.Value.Job, PromptSubjects.ForJob(_world, jobId)).Text
        + PostedText(jobId, day)
        + (_engagement?.Text(member.Id, jobId, time) ?? "");

    private string PostedText(long jobId, int day) => $" posted {Math.Max(0, day - _world.Job(jobId).PostedDay)} days ago";

    private static LibraryEntry Template(string name, string kind, int budget, IReadOnlyList<string> fields)
    {
        var yaml = string.Join("\n", [$"template: {name}", $"kind: {kind}", $"budget: {budget}", "fields:", .. fields.Select(f => $"  - {f}")]);
        return new LibraryEntry(TemplateYamlReader.Parse(yaml, $"built-in:{name}"), yaml, null);
    }

    private void RequireMemberFirst()
    {
        if (_parts is null)
        {
            throw new InvalidOperationException("match prompts: pairs are rendered with member and job fields together; a member's part alone needs member_first in the data config");
        }
    }

    /// <summary>The world's job events; a clear error when the world has none.</summary>
    public static List<JobEvent> ReadEvents(string worldDirectory)
    {
        var path = Path.Combine(worldDirectory, DataFiles.JobEvents);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: job events not found (generate the world with `lodestar world generate`)", path);
        }
        return JsonlReader.Read(path, DataJson.Compact.JobEvent).ToList();
    }

    /// <summary>The first view of every (member, job) pair, in event order: when the pair was shown.</summary>
    public static IEnumerable<(long Member, long Job, long Time)> FirstViews(IEnumerable<JobEvent> events)
    {
        var seen = new HashSet<(long, long)>();
        foreach (var view in events.Where(e => e.Action == JobAction.View))
        {
            if (seen.Add((view.MemberId, view.JobId)))
            {
                yield return (view.MemberId, view.JobId, view.Time);
            }
        }
    }

    private string HistoryText(JobEvent[]? events, long jobId, long before)
    {
        if (events is null || _historyEvents == 0)
        {
            return "";
        }
        var recent = events.Where(e => e.Time < before && e.JobId != jobId).Take(_historyEvents)
            .Select(e => $"{(e.Action == JobAction.Apply ? "applied" : "dismissed")} {_world.Job(e.JobId).Title}").ToList();
        return recent.Count == 0 ? "" : " history: " + string.Join("; ", recent);
    }
}

/// <summary>A pair as a match model reads it.</summary>
/// <param name="Tokens">T token ids, padded with 0.</param>
/// <param name="Keep">T flags: 1 for a real token.</param>
/// <param name="MemberTokens">Real tokens of the member's part at the start when the pair is rendered member first; else 0.</param>
public readonly record struct EncodedPair(int[] Tokens, byte[] Keep, int MemberTokens)
{
    public void Deconstruct(out int[] tokens, out byte[] keep) => (tokens, keep) = (Tokens, Keep);
}
