// The compact in-memory state of a generated world: struct-of-arrays over members, companies, jobs and
// posts holding vocabulary ids rather than strings, so 1M members fit in a few hundred MB. Records with
// text are rendered from this state (WorldRenderer) only when written.
using Lodestar.Core;
using Lodestar.Data.Schema;
using Lodestar.Data.Vocabularies;

namespace Lodestar.Data.Generation;

/// <summary>Stream tags for <see cref="SeededRandom.For"/>: one independent stream per kind of entity.</summary>
internal static class Streams
{
    public const ulong Member = 1, MemberProfile = 2, Company = 3, Job = 4, Post = 5, PostText = 6, Day = 7, Audit = 8, MatchSample = 9, PostOrder = 10, ProfileChange = 11;
}

internal sealed partial class WorldModel
{
    public WorldModel(WorldConfig config, WorldVocabulary vocabulary)
    {
        Config = config;
        Vocabulary = vocabulary;
        TopicCount = vocabulary.Topics.Count;
        MemberCount = config.Members;
        CompanyCount = Math.Max(1, (int)Math.Round(config.Members * config.CompaniesPerMember));
        JobCount = Math.Max(1, (int)Math.Round(config.Members * config.JobsPerMember));
        PostCount = Math.Max(1, (int)Math.Round(config.Members * config.PostsPerMember));
    }

    public WorldConfig Config { get; }

    public WorldVocabulary Vocabulary { get; }

    public int TopicCount { get; }

    public int MemberCount { get; }

    public int CompanyCount { get; }

    public int JobCount { get; }

    public int PostCount { get; }

    // Companies (index c has id c + 1).
    public int[] CompanyFamily = [];
    public int[] CompanyCity = [];
    public float[] CompanyAppeal = [];
    public int[][] CompaniesByFamily = [];

    // Members (index m has id m + 1).
    public int[] MemberOccupation = [];
    public Seniority[] MemberSeniority = [];
    public int[] MemberYears = [];
    public int[] MemberCity = [];
    public WorkplaceType[] MemberRemote = [];
    public ActivityLevel[] MemberLevel = [];
    public int[] MemberJoinDay = [];
    public int[] MemberCompany = [];
    public int[][] MemberSkills = [];
    public string[][] MemberCredentials = [];
    public string[][] MemberAuthorisations = [];
    public float[] SessionRate = [];
    public float[] EngagementBias = [];
    public float[] JobSeeking = [];
    public float[] InterestFrom = [];
    public float[] InterestTo = [];
    public float[] ShiftDay = [];
    public float[] ShiftWidth = [];
    public byte[] PreferredHour = [];
    public int[][] MembersByOccupation = [];
    public int[][] MembersByCompany = [];

    // Jobs (index j has id j + 1), in posting-day order.
    public int[] JobCompany = [];
    public int[] JobOccupation = [];
    public Seniority[] JobSeniority = [];
    public int[] JobCity = [];
    public WorkplaceType[] JobWorkplace = [];
    public int[][] JobRequired = [];
    public int[][] JobNice = [];
    public HardRequirement[][] JobHard = [];
    public int[] JobPostedDay = [];

    // Posts (index p has id p + 1), sorted by creation time. Up to three topics per post.
    public const int TopicsPerPost = 3;
    public int[] PostAuthorMember = [];
    public int[] PostAuthorCompany = [];
    public byte[] PostTopics = [];
    public float[] PostTopicWeights = [];
    public PostFormat[] PostFormats = [];
    public long[] PostTime = [];
    public int[] PostDay = [];
    public float[] PostQuality = [];

    public int MemberFamily(int m) => Vocabulary.OccupationFamily[MemberOccupation[m]];

    public int JobFamily(int j) => Vocabulary.OccupationFamily[JobOccupation[j]];

    public string CountryOfCity(int city) => Vocabulary.Cities[city].Location.Country;

    public string IndustryOfMember(int m) => Vocabulary.Occupations[MemberOccupation[m]].Industry;

    public string IndustryOfJob(int j) => Vocabulary.Families[Vocabulary.OccupationFamily[JobOccupation[j]]].Industry;

    /// <summary>Writes member m's true interest mix on <paramref name="day"/> into <paramref name="result"/> (length K).</summary>
    public void InterestOn(int m, double day, Span<float> result) =>
        GroundTruth.InterestTrajectory.At(InterestFrom.AsSpan(m * TopicCount, TopicCount), InterestTo.AsSpan(m * TopicCount, TopicCount), ShiftDay[m], ShiftWidth[m], day, result);

    public GroundTruth.MatchQuality.MemberSide MemberSide(int m) => new(
        MemberSkills[m], MemberOccupation[m], MemberFamily(m), MemberSeniority[m], MemberCity[m], CountryOfCity(MemberCity[m]),
        MemberRemote[m], IndustryOfMember(m), MemberCredentials[m], MemberAuthorisations[m]);

    public GroundTruth.MatchQuality.JobSide JobSide(int j) => new(
        JobRequired[j], JobNice[j], JobOccupation[j], JobFamily(j), JobSeniority[j], JobCity[j], CountryOfCity(JobCity[j]),
        JobWorkplace[j], IndustryOfJob(j), JobHard[j]);

    public GroundTruth.MatchTruth Match(int m, int j, bool observed) =>
        GroundTruth.MatchQuality.Score(m + 1, j + 1, MemberSide(m), JobSide(j), observed);
}
