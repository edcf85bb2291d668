// The jobs endpoint over real HTTP: the first stage's counts agree with a brute-force pass over every job of the world
// (open, every hard requirement met, workable place, not acted on, sharing a skill or the occupation); the jobs come in
// the student's overall order with the student's own scores on the prompts the training code renders, and each
// dimension's level in the policy's words; a profile edit through the event endpoint changes what is eligible.
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Features.JobMatching;
using Lodestar.Pipelines.Events;
using Lodestar.Policy;
using Lodestar.Serving;
using Lodestar.Serving.Http;

namespace Lodestar.Serving.Tests;

public sealed class JobEndpointTests(ServingWorld world) : IClassFixture<ServingWorld>
{
    private const int OpenDays = 30;

    private static readonly PolicyDocument Policy = PolicyLoader.LoadJobPolicy().Document;

    private List<JobEvent> JobEvents => MatchPrompts.ReadEvents(Path.Combine(world.Directory, "world"));

    private async Task<(JsonElement Body, HttpResponseMessage Response)> Get(string path)
    {
        var response = await world.Client.GetAsync(path);
        return (JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone(), response);
    }

    private int Day(long clock)
    {
        var start = DateTimeOffset.Parse(ManifestFile.Read(Path.Combine(world.Directory, "world")).StartDate + "T00:00:00Z", CultureInfo.InvariantCulture);
        return (int)((clock - start.ToUnixTimeSeconds()) / 86_400);
    }

    /// <summary>The first stage's counts by a pass over every job, with no inverted list: (considered, not open, missing requirement, elsewhere, acted, eligible).</summary>
    private (int, int, int, int, int, int) BruteForce(Member member, int day)
    {
        var have = member.Credentials.Concat(member.WorkAuthorisations).Select(s => s.ToLowerInvariant()).ToHashSet();
        var skills = member.Skills.Select(s => s.Trim().ToLowerInvariant()).ToHashSet();
        var acted = JobEvents.Where(e => e.MemberId == member.Id && e.Action != JobAction.View).Select(e => e.JobId).ToHashSet();
        int considered = 0, notOpen = 0, missing = 0, elsewhere = 0, actedOn = 0, eligible = 0;
        foreach (var job in world.Snapshot.Jobs.Values)
        {
            if (!job.RequiredSkills.Any(s => skills.Contains(s.Trim().ToLowerInvariant())) && job.OccupationId != member.OccupationId)
            {
                continue;
            }
            considered++;
            if (job.PostedDay > day || job.PostedDay <= day - OpenDays) { notOpen++; }
            else if (job.HardRequirements.Any(r => !have.Contains(r.Value.ToLowerInvariant()))) { missing++; }
            else if (job.Workplace != WorkplaceType.Remote && job.Location.Country != member.Location.Country) { elsewhere++; }
            else if (acted.Contains(job.Id)) { actedOn++; }
            else { eligible++; }
        }
        return (considered, notOpen, missing, elsewhere, actedOn, eligible);
    }

    private static (int, int, int, int, int, int) Counts(JsonElement body)
    {
        var c = body.GetProperty("first_stage");
        return (c.GetProperty("considered").GetInt32(), c.GetProperty("not_open").GetInt32(), c.GetProperty("missing_requirement").GetInt32(),
            c.GetProperty("elsewhere_on_site").GetInt32(), c.GetProperty("already_acted").GetInt32(), c.GetProperty("eligible").GetInt32());
    }

    [Fact]
    public async Task Jobs_are_eligible_first_stage_candidates_in_the_students_overall_order_with_every_stage_timed()
    {
        var member = world.Snapshot.Members.Keys.Order().Skip(10).First();
        var (body, response) = await Get($"/v1/members/{member}/jobs?limit=25");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var clock = body.GetProperty("clock").GetInt64();
        var day = body.GetProperty("day").GetInt32();
        Assert.Equal(Day(clock), day);
        var expected = BruteForce(world.Snapshot.Member(member), day);
        Assert.Equal(expected, Counts(body));
        Assert.True(expected.Item6 > 0, "the member has no eligible job: pick another");
        Assert.Equal(Math.Min(200, expected.Item6), body.GetProperty("scored").GetInt32());
        Assert.Equal(Policy.VersionKey, body.GetProperty("policy").GetString());

        var jobs = body.GetProperty("jobs").EnumerateArray().ToList();
        Assert.Equal(Math.Min(25, expected.Item6), jobs.Count);
        var overall = jobs.Select(j => j.GetProperty("overall").GetSingle()).ToList();
        Assert.Equal(overall.OrderByDescending(o => o), overall);
        Assert.Equal(Enumerable.Range(1, jobs.Count), jobs.Select(j => j.GetProperty("rank").GetInt32()));
        var profile = world.Snapshot.Member(member);
        foreach (var item in jobs)
        {
            var job = world.Snapshot.Job(item.GetProperty("job_id").GetInt64());
            Assert.InRange(job.PostedDay, day - OpenDays + 1, day);
            Assert.All(job.HardRequirements, r => Assert.Contains(r.Value, profile.Credentials.Concat(profile.WorkAuthorisations), StringComparer.OrdinalIgnoreCase));
            Assert.True(job.Workplace == WorkplaceType.Remote || job.Location.Country == profile.Location.Country);
            Assert.Equal(job.Title, item.GetProperty("job").GetProperty("title").GetString());
            Assert.NotEmpty(item.GetProperty("why").EnumerateArray());
        }
        var timing = string.Join(",", response.Headers.GetValues("Server-Timing"));
        foreach (var stage in new[] { "candidates;dur=", "features;dur=", "score;dur=", "total;dur=" })
        {
            Assert.Contains(stage, timing);
        }
    }

    [Fact]
    public async Task Served_scores_and_levels_are_the_students_on_the_prompts_training_renders_in_the_policys_words()
    {
        var member = world.Snapshot.Members.Keys.Order().Skip(20).First();
        var (body, _) = await Get($"/v1/members/{member}/jobs?limit=10");
        var clock = body.GetProperty("clock").GetInt64();
        var day = body.GetProperty("day").GetInt32();
        var student = world.Models.Jobs.Model;
        var prompts = new MatchPrompts(world.Snapshot, JobEvents, world.Tokenizer, student.Config.MaxTokens, new MatchDataConfig());
        var jobs = body.GetProperty("jobs").EnumerateArray().ToList();
        Assert.NotEmpty(jobs);
        var examples = jobs.Select(j => MatchExample.Unlabelled(member, j.GetProperty("job_id").GetInt64(), prompts.Encode(member, j.GetProperty("job_id").GetInt64(), clock, day), day)).ToList();
        var logits = MatchScorer.Predict(student, examples);
        var layout = student.Layout;
        for (var i = 0; i < jobs.Count; i++)
        {
            var row = logits.AsSpan(i * layout.Width, layout.Width);
            var job = jobs[i];
            Assert.Equal(MatchScorer.Sigmoid(row[layout.OverallColumn]), job.GetProperty("overall").GetSingle(), 5);
            Assert.Equal(MatchScorer.Sigmoid(row[layout.ApplyColumn]), job.GetProperty("apply").GetSingle(), 5);
            var overallScore = job.GetProperty("overall_score").GetDouble();
            Assert.Equal(Policy.Overall.Scale.Levels[(int)Math.Round(overallScore, MidpointRounding.AwayFromZero)], job.GetProperty("overall_words").GetString());
            var dimensions = job.GetProperty("dimensions").EnumerateArray().ToList();
            Assert.Equal(Policy.Dimensions.Select(d => d.Id), dimensions.Select(d => d.GetProperty("id").GetString()));
            for (var d = 0; d < dimensions.Count; d++)
            {
                var levels = row.Slice(layout.DimensionOffsets[d], layout.DimensionLevels[d]).ToArray();
                var level = Array.IndexOf(levels, levels.Max()) + Policy.Dimensions[d].Scale.Min;
                Assert.Equal(level, dimensions[d].GetProperty("level").GetInt32());
                Assert.Equal(Policy.Dimensions[d].Scale.Levels[level], dimensions[d].GetProperty("words").GetString());
                Assert.InRange(dimensions[d].GetProperty("probability").GetSingle(), 1f / levels.Length, 1f);
            }
        }
    }

    [Fact]
    public async Task A_student_isolating_the_member_serves_every_candidate_from_one_pass_with_the_scores_of_each_pair_alone()
    {
        var directory = Path.Combine(world.Directory, "isolated-student");
        world.WriteModels(directory, encoderSeed: 3, rankerSeed: 5, studentSeed: 9, isolatedStudent: true);
        var models = ServingModels.Load(directory);
        await using var host = await ServingHost.StartAsync(new ServingOptions { Retrieve = 120, MaxLimit = 50 }, models, world.Pipeline, world.Jobs, ["http://127.0.0.1:0"]);
        using var client = new HttpClient { BaseAddress = new Uri(host.Addresses[0]) };
        var student = models.Jobs.Model;
        var prompts = new MatchPrompts(world.Snapshot, JobEvents, world.Tokenizer, student.Config.MaxTokens, new MatchDataConfig { MemberFirst = true });
        var layout = student.Layout;
        var served = new List<float>();
        foreach (var member in world.Snapshot.Members.Keys.Order().Take(12))
        {
            using var response = await client.GetAsync($"/v1/members/{member}/jobs?limit=50");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var body = document.RootElement;
            var (clock, day) = (body.GetProperty("clock").GetInt64(), body.GetProperty("day").GetInt32());
            var jobs = body.GetProperty("jobs").EnumerateArray().ToList();
            var examples = jobs.Select(j => MatchExample.Unlabelled(member, j.GetProperty("job_id").GetInt64(), prompts.Encode(member, j.GetProperty("job_id").GetInt64(), clock, day), day)).ToList();
            Assert.All(examples, e => Assert.True(e.MemberTokens > 0));
            var logits = MatchScorer.Predict(student, examples);
            for (var i = 0; i < jobs.Count; i++)
            {
                var row = logits.AsSpan(i * layout.Width, layout.Width);
                Assert.Equal(MatchScorer.Sigmoid(row[layout.OverallColumn]), jobs[i].GetProperty("overall").GetSingle(), 6);
                Assert.Equal(MatchScorer.Sigmoid(row[layout.ApplyColumn]), jobs[i].GetProperty("apply").GetSingle(), 6);
                served.Add(jobs[i].GetProperty("overall").GetSingle());
            }
        }
        Assert.True(served.Count >= 20, $"{served.Count} jobs served");
        Assert.True(served.Max() - served.Min() > 1e-4f, $"served overall scores span {served.Min()}..{served.Max()}");
    }

    [Fact]
    public async Task A_profile_edit_adding_a_missing_credential_makes_its_jobs_eligible()
    {
        var (body, _) = await Get($"/v1/members/{world.Snapshot.Members.Keys.Min()}/jobs?limit=1");
        var day = body.GetProperty("day").GetInt32();
        // A member whose workable open jobs include one they lack exactly one hard requirement for.
        var (member, requirement) = world.Snapshot.Members.Values.OrderBy(m => m.Id).Skip(30).SelectMany(m => world.Snapshot.Jobs.Values
            .Where(j => j.PostedDay <= day && j.PostedDay > day - OpenDays && j.OccupationId == m.OccupationId
                && (j.Workplace == WorkplaceType.Remote || j.Location.Country == m.Location.Country))
            .Select(j => (Member: m, Missing: j.HardRequirements.Where(r => !m.Credentials.Concat(m.WorkAuthorisations).Contains(r.Value, StringComparer.OrdinalIgnoreCase)).ToList()))
            .Where(p => p.Missing.Count == 1).Select(p => (p.Member, p.Missing[0]))).First();
        var before = Counts((await Get($"/v1/members/{member.Id}/jobs")).Body);
        Assert.Equal(BruteForce(member, day), before);

        var edited = requirement.Kind == "work_authorisation"
            ? member with { WorkAuthorisations = [.. member.WorkAuthorisations, requirement.Value] }
            : member with { Credentials = [.. member.Credentials, requirement.Value] };
        var change = new NearlineEvent($"profile:{member.Id}:test", NearlineEventKind.ProfileChanged, body.GetProperty("clock").GetInt64(), day, Member: edited);
        var receipt = await world.Client.PostAsync("/v1/events", new StringContent(change.ToJson(), Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Accepted, receipt.StatusCode);
        world.Pipeline.Drain();

        var after = Counts((await Get($"/v1/members/{member.Id}/jobs")).Body);
        Assert.Equal(BruteForce(edited, day), after);
        Assert.True(after.Item6 > before.Item6, $"eligible {before.Item6} -> {after.Item6}");
        Assert.True(after.Item3 < before.Item3, $"missing a requirement {before.Item3} -> {after.Item3}");
    }

    [Fact]
    public async Task Concurrent_requests_get_the_answers_each_gets_alone()
    {
        var members = world.Snapshot.Members.Keys.Order().Skip(40).Take(4).ToList();
        var alone = new Dictionary<long, string>();
        foreach (var member in members)
        {
            alone[member] = Scores((await Get($"/v1/members/{member}/jobs?limit=50")).Body);
        }
        for (var round = 0; round < 3; round++)
        {
            var together = await Task.WhenAll(members.Concat(members).Select(async member => (member, Scores((await Get($"/v1/members/{member}/jobs?limit=50")).Body))));
            Assert.All(together, t => Assert.Equal(alone[t.member], t.Item2));
        }
        static string Scores(JsonElement body) => string.Join(";", body.GetProperty("jobs").EnumerateArray()
            .Select(j => $"{j.GetProperty("job_id").GetInt64()}:{j.GetProperty("overall").GetSingle():R}:{j.GetProperty("apply").GetSingle():R}"));
    }

    [Theory]
    [InlineData("/v1/members/abc/jobs", "id")]
    [InlineData("/v1/members/1/jobs?limit=0", "limit")]
    [InlineData("/v1/members/1/jobs?limit=51", "limit")]
    public async Task Bad_ids_and_limits_are_400_problems_naming_the_field(string path, string field)
    {
        var (body, response) = await Get(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, body.GetProperty("field").GetString());
    }

    [Fact]
    public async Task An_unknown_member_is_a_404_problem()
    {
        var (body, response) = await Get("/v1/members/999999999/jobs");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("999999999", body.GetProperty("detail").GetString());
    }
}
