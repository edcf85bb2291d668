// A small, seeded set of members and jobs for policy tests, built directly from the schema so the
// tests need no world generator: a few occupations, cities, skills and hard requirements.
using Lodestar.Data.Schema;
using Lodestar.Policy.Labeling;

namespace Lodestar.Policy.Tests;

internal static class TestPairs
{
    private static readonly (string Title, string Industry, string[] Skills)[] Occupations =
    [
        ("Software Engineer", "software", ["c#", "sql", "python", "kubernetes", "go", "react", "aws"]),
        ("Data Scientist", "software", ["python", "sql", "statistics", "pytorch", "spark", "r", "experimentation"]),
        ("Registered Nurse", "healthcare", ["patient care", "triage", "medication", "charting", "iv therapy", "bls", "wound care"]),
        ("Accountant", "finance", ["excel", "ifrs", "audit", "tax", "sap", "reconciliation", "budgeting"]),
        ("Electrician", "construction", ["wiring", "blueprints", "safety", "plc", "troubleshooting", "conduit", "solar"]),
    ];

    private static readonly Location[] Cities =
    [
        new("Berlin", "Berlin", "DE"), new("Munich", "Bavaria", "DE"), new("Paris", "Ile-de-France", "FR"),
        new("Lyon", "Auvergne-Rhone-Alpes", "FR"), new("Austin", "Texas", "US"), new("Dallas", "Texas", "US"),
    ];

    public static (List<Member> Members, List<Job> Jobs) Create(int seed, int members, int jobs)
    {
        var random = new Random(seed);
        var memberList = new List<Member>(members);
        for (var i = 0; i < members; i++)
        {
            var occupation = random.Next(Occupations.Length);
            var (title, industry, skills) = Occupations[occupation];
            var city = Cities[random.Next(Cities.Length)];
            var seniority = (Seniority)random.Next(6);
            var credentials = occupation == 2 && random.NextDouble() < 0.7 ? new[] { "nursing licence" } : [];
            memberList.Add(new Member(
                Id: 1000 + i,
                Headline: $"{title} in {city.City}",
                CurrentTitle: title,
                OccupationId: occupation,
                Seniority: seniority,
                YearsOfExperience: 2 * (int)seniority + random.Next(3),
                Skills: skills.Where(_ => random.NextDouble() < 0.6).ToArray(),
                Industry: random.NextDouble() < 0.8 ? industry : Occupations[random.Next(Occupations.Length)].Industry,
                Location: city,
                RemotePreference: (WorkplaceType)random.Next(3),
                Education: [new Education(DegreeLevel.Bachelor, industry, "State University", 2010)],
                WorkHistory: [new Position(title, occupation, null, "Acme", industry, seniority, -1000, null)],
                Credentials: credentials,
                WorkAuthorisations: random.NextDouble() < 0.5 ? [city.Country] : ["DE", "FR", "US"],
                ActivityLevel: ActivityLevel.Regular,
                JoinDay: -500));
        }
        var jobList = new List<Job>(jobs);
        for (var i = 0; i < jobs; i++)
        {
            var occupation = random.Next(Occupations.Length);
            var (title, industry, skills) = Occupations[occupation];
            var city = Cities[random.Next(Cities.Length)];
            var shuffled = skills.OrderBy(_ => random.Next()).ToArray();
            var requirements = new List<HardRequirement>();
            if (random.NextDouble() < 0.5)
            {
                requirements.Add(new HardRequirement("work_authorisation", city.Country));
            }
            if (occupation == 2)
            {
                requirements.Add(new HardRequirement("licence", "nursing licence"));
            }
            jobList.Add(new Job(
                Id: 5000 + i,
                CompanyId: 1,
                Title: title,
                OccupationId: occupation,
                Description: $"We are hiring a {title} in {city.City}.",
                RequiredSkills: shuffled[..4],
                NiceToHaveSkills: shuffled[4..6],
                Seniority: (Seniority)random.Next(6),
                Location: city,
                Workplace: (WorkplaceType)random.Next(3),
                Industry: industry,
                HardRequirements: requirements,
                PostedDay: random.Next(30)));
        }
        return (memberList, jobList);
    }

    /// <summary>Distinct pairs drawn with a fixed seed.</summary>
    public static List<MatchPair> Pairs(List<Member> members, List<Job> jobs, int count, int seed)
    {
        var random = new Random(seed);
        var seen = new HashSet<PairKey>();
        var pairs = new List<MatchPair>(count);
        while (pairs.Count < count)
        {
            var pair = new MatchPair(members[random.Next(members.Count)], jobs[random.Next(jobs.Count)]);
            if (seen.Add(pair.Key))
            {
                pairs.Add(pair);
            }
        }
        return pairs;
    }

    public static string Render(MatchPair pair) =>
        $"Member: {pair.Member.CurrentTitle}; skills {string.Join(", ", pair.Member.Skills)}; {pair.Member.Location.City}\n" +
        $"Job: {pair.Job.Title}; requires {string.Join(", ", pair.Job.RequiredSkills)}; {pair.Job.Location.City}";
}
