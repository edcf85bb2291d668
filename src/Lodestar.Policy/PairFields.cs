// The member, job and post fields policies may reference, bound to Lodestar's data schema. Enums that
// are categories (workplace) read as text; ordered enums (seniority, degree) read as their rank.
using System.Runtime.CompilerServices;
using Lodestar.Data.Schema;
using Lodestar.Policy.Expressions;

namespace Lodestar.Policy;

public static class PairFields
{
    /// <summary>Fields of a member–job pair (policy kind "member_job").</summary>
    public static PairFieldCatalog<Member, Job> MemberJob { get; } = AddMemberFields(new PairFieldCatalog<Member, Job>("job"))
        .Item("title", j => j.Title, "posted job title")
        .Item("occupation_id", j => j.OccupationId, "occupation of the job")
        .Item("description", j => j.Description, "job description text")
        .Item("required_skills", j => j.RequiredSkills, "skills the job requires")
        .Item("nice_to_have_skills", j => j.NiceToHaveSkills, "skills the job would like")
        .Item("seniority", j => j.Seniority, "career level, 0 intern … 5 executive")
        .Item("city", j => j.Location.City, "job city")
        .Item("region", j => j.Location.Region, "job region (state/province)")
        .Item("country", j => j.Location.Country, "job country (ISO 3166-1 alpha-2)")
        .Item("workplace", j => WorkplaceName(j.Workplace), "on_site, hybrid or remote")
        .Item("industry", j => j.Industry, "industry of the job")
        .Item("hard_requirements", j => Derived(j).HardRequirementValues, "every hard requirement's value (licences, certifications, work-authorisation countries)")
        .Item("posted_day", j => j.PostedDay, "day the job was posted");

    /// <summary>Fields of a member–post pair (policy kind "member_post").</summary>
    public static PairFieldCatalog<Member, Post> MemberPost { get; } = AddMemberFields(new PairFieldCatalog<Member, Post>("post"))
        .Item("topics", p => Derived(p).Topics, "topics of the post, strongest first")
        .Item("format", p => FormatName(p.Format), "text, article, image, video or poll")
        .Item("text", p => p.Text, "the post's text")
        .Item("text_length", p => p.Text.Length, "characters of text")
        .Item("by_company", p => p.AuthorCompanyId != null, "true when a company wrote the post")
        .Item("day", p => p.Day, "day the post was created");

    private static PairFieldCatalog<Member, TItem> AddMemberFields<TItem>(PairFieldCatalog<Member, TItem> catalog) => catalog
        .Member("headline", m => m.Headline, "profile headline")
        .Member("current_title", m => m.CurrentTitle, "title of the current position")
        .Member("occupation_id", m => m.OccupationId, "occupation of the current position")
        .Member("seniority", m => m.Seniority, "career level, 0 intern … 5 executive")
        .Member("years_of_experience", m => m.YearsOfExperience, "years of professional experience")
        .Member("skills", m => m.Skills, "skills on the profile")
        .Member("industry", m => m.Industry, "industry of the current position")
        .Member("city", m => m.Location.City, "member city")
        .Member("region", m => m.Location.Region, "member region (state/province)")
        .Member("country", m => m.Location.Country, "member country (ISO 3166-1 alpha-2)")
        .Member("remote_preference", m => WorkplaceName(m.RemotePreference), "on_site, hybrid or remote")
        .Member("qualifications", m => Derived(m).Qualifications, "licences, certifications and work-authorisation countries")
        .Member("past_titles", m => Derived(m).PastTitles, "titles of every position in the work history")
        .Member("past_industries", m => Derived(m).PastIndustries, "industries of every position in the work history")
        .Member("highest_degree", m => Derived(m).HighestDegree, "highest degree rank: 0 secondary … 4 doctorate, -1 none");

    public static string WorkplaceName(WorkplaceType workplace) => workplace switch
    {
        WorkplaceType.OnSite => "on_site",
        WorkplaceType.Hybrid => "hybrid",
        _ => "remote",
    };

    public static string FormatName(PostFormat format) => format switch
    {
        PostFormat.Text => "text",
        PostFormat.Article => "article",
        PostFormat.Image => "image",
        PostFormat.Video => "video",
        _ => "poll",
    };

    // Lists computed from a record (e.g. every past title) are built once per record and kept beside it
    // for the record's lifetime, so scoring the same member against many jobs allocates nothing.
    private static readonly ConditionalWeakTable<Member, MemberLists> MemberCache = new();
    private static readonly ConditionalWeakTable<Job, JobLists> JobCache = new();
    private static readonly ConditionalWeakTable<Post, PostLists> PostCache = new();

    public sealed record MemberLists(IReadOnlyList<string> Qualifications, IReadOnlyList<string> PastTitles, IReadOnlyList<string> PastIndustries, int HighestDegree);

    public sealed record JobLists(IReadOnlyList<string> HardRequirementValues);

    public sealed record PostLists(IReadOnlyList<string> Topics);

    public static MemberLists Derived(Member member) => MemberCache.GetValue(member, m => new MemberLists(
        [.. m.Credentials, .. m.WorkAuthorisations],
        m.WorkHistory.Select(p => p.Title).ToArray(),
        m.WorkHistory.Select(p => p.Industry).ToArray(),
        m.Education.Count == 0 ? -1 : m.Education.Max(e => (int)e.Degree)));

    public static JobLists Derived(Job job) => JobCache.GetValue(job, j => new JobLists(j.HardRequirements.Select(r => r.Value).ToArray()));

    public static PostLists Derived(Post post) => PostCache.GetValue(post, p => new PostLists(p.Topics.Select(t => t.Topic).ToArray()));
}
