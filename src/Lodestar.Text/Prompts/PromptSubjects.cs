// Turns world records into prompt subjects: every attribute of PromptAttributes computed from a member,
// job or post (with company, occupation and engagement counts joined in), and a member's history.
using System.Globalization;
using System.Text;
using Lodestar.Data.Schema;

namespace Lodestar.Text.Prompts;

public static class PromptSubjects
{
    public static PromptSubject ForMember(WorldSnapshot world, long memberId) =>
        new($"member {memberId}", MemberAttributes(world, world.Member(memberId)), []);

    public static PromptSubject ForJob(WorldSnapshot world, long jobId) =>
        new($"job {jobId}", JobAttributes(world, world.Job(jobId)), []);

    public static PromptSubject ForPost(WorldSnapshot world, long postId) =>
        new($"post {postId}", PostAttributes(world, world.Post(postId)), []);

    public static PromptSubject ForPair(WorldSnapshot world, long memberId, long jobId) => ForPair(world, world.Member(memberId), world.Job(jobId));

    /// <summary>A pair from records given here (a member's profile as a store holds it now), joined with the world's companies and counts.</summary>
    public static PromptSubject ForPair(WorldSnapshot world, Member member, Job job)
    {
        var attributes = new Dictionary<string, PromptValue>(MemberAttributes(world, member), StringComparer.Ordinal);
        foreach (var (key, value) in JobAttributes(world, job))
        {
            attributes[key] = value;
        }
        return new PromptSubject($"member {member.Id} with job {job.Id}", attributes, []);
    }

    /// <summary>A member with every impression kept for them at load (load the world with this member in historyMembers).</summary>
    public static PromptSubject ForHistory(WorldSnapshot world, long memberId, string itemSource = "post.text")
    {
        var member = world.Member(memberId);
        var impressions = world.Impressions.GetValueOrDefault(memberId) ?? [];
        var items = impressions
            .OrderBy(i => i.Time).ThenBy(i => i.Id)
            .Select(i => new HistoryItem(i.Id, i.Time, i.PostId, ItemText(world, i.PostId, itemSource), Actions(i), i.Skip))
            .ToList();
        return new PromptSubject($"member {memberId} with history", MemberAttributes(world, member), items);
    }

    /// <summary>Action tokens of an impression in a fixed order; empty when the member did nothing positive.</summary>
    public static IReadOnlyList<string> Actions(FeedImpression impression)
    {
        var actions = new List<string>(2);
        if (impression.Click) { actions.Add("<click>"); }
        if (impression.LongDwell) { actions.Add("<long_dwell>"); }
        if (impression.Like) { actions.Add("<like>"); }
        if (impression.Comment) { actions.Add("<comment>"); }
        if (impression.Share) { actions.Add("<share>"); }
        return actions;
    }

    public static Dictionary<string, PromptValue> MemberAttributes(WorldSnapshot world, Member member)
    {
        var values = new Dictionary<string, PromptValue>(StringComparer.Ordinal)
        {
            ["member.headline"] = PromptValue.OfText(member.Headline),
            ["member.current_title"] = PromptValue.OfText(member.CurrentTitle),
            ["member.seniority"] = PromptValue.OfCategory(Words(member.Seniority)),
            ["member.years_of_experience"] = PromptValue.OfNumber(member.YearsOfExperience),
            ["member.skills"] = PromptValue.OfList(member.Skills),
            ["member.skill_count"] = PromptValue.OfNumber(member.Skills.Count),
            ["member.industry"] = PromptValue.OfCategory(member.Industry),
            ["member.location"] = PromptValue.OfCategory(Place(member.Location)),
            ["member.country"] = PromptValue.OfCategory(member.Location.Country),
            ["member.remote_preference"] = PromptValue.OfCategory(Words(member.RemotePreference)),
            ["member.education"] = PromptValue.OfList([.. member.Education.Select(e => $"{Words(e.Degree)} in {e.Field}, {e.School}, {e.GraduationYear.ToString(CultureInfo.InvariantCulture)}")]),
            // Most recent first, so cutting the list to its budget keeps the current position.
            ["member.work_history"] = PromptValue.OfList([.. member.WorkHistory.Reverse().Select(p => $"{p.Title} at {p.CompanyName}")]),
            ["member.credentials"] = PromptValue.OfList(member.Credentials),
            ["member.work_authorisations"] = PromptValue.OfList(member.WorkAuthorisations),
            ["member.joined"] = PromptValue.OfDay(member.JoinDay),
            ["member.positive_engagements"] = PromptValue.OfNumber(world.MemberPositives.GetValueOrDefault(member.Id)),
        };
        if (world.Occupations.TryGetValue(member.OccupationId, out var occupation))
        {
            values["member.occupation"] = PromptValue.OfCategory(occupation.Label);
        }
        return values;
    }

    public static Dictionary<string, PromptValue> JobAttributes(WorldSnapshot world, Job job)
    {
        var stats = world.JobStats.GetValueOrDefault(job.Id) ?? new JobStats(0, 0);
        var values = new Dictionary<string, PromptValue>(StringComparer.Ordinal)
        {
            ["job.title"] = PromptValue.OfText(job.Title),
            ["job.description"] = PromptValue.OfText(job.Description),
            ["job.required_skills"] = PromptValue.OfList(job.RequiredSkills),
            ["job.nice_to_have_skills"] = PromptValue.OfList(job.NiceToHaveSkills),
            ["job.seniority"] = PromptValue.OfCategory(Words(job.Seniority)),
            ["job.location"] = PromptValue.OfCategory(Place(job.Location)),
            ["job.workplace"] = PromptValue.OfCategory(Words(job.Workplace)),
            ["job.industry"] = PromptValue.OfCategory(job.Industry),
            ["job.hard_requirements"] = PromptValue.OfList([.. job.HardRequirements.Select(r => $"{r.Kind.Replace('_', ' ')}: {r.Value}")]),
            ["job.posted"] = PromptValue.OfDay(job.PostedDay),
            ["job.views"] = PromptValue.OfNumber(stats.Views),
            ["job.applies"] = PromptValue.OfNumber(stats.Applies),
            ["job.apply_rate"] = PromptValue.OfNumber(stats.Applies / (double)Math.Max(1, stats.Views)),
        };
        if (world.Companies.TryGetValue(job.CompanyId, out var company))
        {
            values["job.company"] = PromptValue.OfCategory(company.Name);
            values["job.company_industry"] = PromptValue.OfCategory(company.Industry);
            values["job.company_size"] = PromptValue.OfCategory(company.Size);
        }
        return values;
    }

    public static Dictionary<string, PromptValue> PostAttributes(WorldSnapshot world, Post post) =>
        PostAttributes(world, post, world.PostStats.GetValueOrDefault(post.Id) ?? PostStats.None, world.LastDay);

    /// <summary>A post's attributes with its engagement counts as given and its age as of <paramref name="nowDay"/>
    /// (a prompt as of a day shows only the counts before it).</summary>
    public static Dictionary<string, PromptValue> PostAttributes(WorldSnapshot world, Post post, PostStats stats, int nowDay)
    {
        var values = new Dictionary<string, PromptValue>(StringComparer.Ordinal)
        {
            ["post.text"] = PromptValue.OfText(post.Text),
            ["post.format"] = PromptValue.OfCategory(Words(post.Format)),
            ["post.topics"] = PromptValue.OfList([.. post.Topics.OrderByDescending(t => t.Weight).ThenBy(t => t.Topic, StringComparer.Ordinal).Select(t => t.Topic)]),
            ["post.created"] = PromptValue.OfDay(post.Day),
            ["post.age_days"] = PromptValue.OfNumber(Math.Max(0, nowDay - post.Day)),
            ["post.impressions"] = PromptValue.OfNumber(stats.Impressions),
            ["post.clicks"] = PromptValue.OfNumber(stats.Clicks),
            ["post.likes"] = PromptValue.OfNumber(stats.Likes),
            ["post.comments"] = PromptValue.OfNumber(stats.Comments),
            ["post.shares"] = PromptValue.OfNumber(stats.Shares),
            ["post.engagement_rate"] = PromptValue.OfNumber(stats.Positives / (double)Math.Max(1, stats.Impressions)),
        };
        if (post.AuthorMemberId is { } authorId && world.Members.TryGetValue(authorId, out var author))
        {
            values["post.author_headline"] = PromptValue.OfText(author.Headline);
            values["post.author_industry"] = PromptValue.OfCategory(author.Industry);
            if (author.WorkHistory.Count > 0)
            {
                values["post.author_company"] = PromptValue.OfCategory(author.WorkHistory[^1].CompanyName);
            }
        }
        else if (post.AuthorCompanyId is { } companyId && world.Companies.TryGetValue(companyId, out var company))
        {
            values["post.author_headline"] = PromptValue.OfText(company.Name);
            values["post.author_company"] = PromptValue.OfCategory(company.Name);
            values["post.author_industry"] = PromptValue.OfCategory(company.Industry);
        }
        return values;
    }

    private static string ItemText(WorldSnapshot world, long postId, string itemSource) =>
        world.Posts.TryGetValue(postId, out var post) && PostAttributes(world, post).TryGetValue(itemSource, out var value) ? value.Text ?? "" : "";

    /// <summary>A location as "city, region, country", leaving out the parts it lacks.</summary>
    public static string Place(Location location) =>
        string.Join(", ", new[] { location.City, location.Region, location.Country }.Where(p => !string.IsNullOrWhiteSpace(p)));

    /// <summary>An enum value as the words a tokenizer already knows: MidSenior → "mid senior".</summary>
    public static string Words<T>(T value)
        where T : struct, Enum
    {
        var name = value.ToString();
        var words = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                words.Append(' ');
            }
            words.Append(char.ToLowerInvariant(name[i]));
        }
        return words.ToString();
    }
}
