// Draws the static world: companies, members (profile, latent interest trajectory, activity), jobs and
// posts. Each entity draws from its own derived stream, so the loops run in parallel and the result does
// not depend on the number of threads.
using Lodestar.Core;
using Lodestar.Data.Schema;

namespace Lodestar.Data.Generation;

internal sealed partial class WorldModel
{
    // Relative sizes of the eight families (software, healthcare, finance, marketing and sales,
    // education, engineering, logistics, people).
    private static readonly float[] FamilyWeights = [0.2f, 0.15f, 0.12f, 0.13f, 0.1f, 0.12f, 0.1f, 0.08f];
    private static readonly float[] FormatWeights = [0.35f, 0.15f, 0.25f, 0.15f, 0.1f];

    public void Build()
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = Config.Threads > 0 ? Config.Threads : Environment.ProcessorCount };
        BuildCompanies();
        BuildMembers(options);
        BuildJobs(options);
        BuildPosts(options);
    }

    private int PickFamily(SeededRandom rng)
    {
        while (true)
        {
            var f = rng.PickWeighted(FamilyWeights.AsSpan(0, Math.Min(FamilyWeights.Length, Vocabulary.Families.Count)));
            if (Vocabulary.OccupationsByFamily[f].Length > 0)
            {
                return f;
            }
        }
    }

    private int PickCity(SeededRandom rng)
    {
        Span<float> weights = stackalloc float[Vocabulary.Cities.Count];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = Vocabulary.Cities[i].Weight;
        }
        return rng.PickWeighted(weights);
    }

    private void BuildCompanies()
    {
        CompanyFamily = new int[CompanyCount];
        CompanyCity = new int[CompanyCount];
        CompanyAppeal = new float[CompanyCount];
        for (var c = 0; c < CompanyCount; c++)
        {
            var rng = SeededRandom.For(Config.Seed, Streams.Company, c);
            CompanyFamily[c] = PickFamily(rng);
            CompanyCity[c] = PickCity(rng);
            // Employer brand: a latent pull on applicants that no policy dimension scores, learnable only from
            // which companies' postings draw applies (drawn last so the other company draws are unchanged).
            CompanyAppeal[c] = (float)(0.9 * rng.NextGaussian());
        }
        CompaniesByFamily = [.. Enumerable.Range(0, Vocabulary.Families.Count).Select(f => Enumerable.Range(0, CompanyCount).Where(c => CompanyFamily[c] == f).ToArray())];
    }

    private void BuildMembers(ParallelOptions options)
    {
        var n = MemberCount;
        var k = TopicCount;
        MemberOccupation = new int[n];
        MemberSeniority = new Seniority[n];
        MemberYears = new int[n];
        MemberCity = new int[n];
        MemberRemote = new WorkplaceType[n];
        MemberLevel = new ActivityLevel[n];
        MemberJoinDay = new int[n];
        MemberCompany = new int[n];
        MemberSkills = new int[n][];
        MemberCredentials = new string[n][];
        MemberAuthorisations = new string[n][];
        SessionRate = new float[n];
        EngagementBias = new float[n];
        JobSeeking = new float[n];
        InterestFrom = new float[n * k];
        InterestTo = new float[n * k];
        ShiftDay = new float[n];
        ShiftWidth = new float[n];
        PreferredHour = new byte[n];
        var countries = Vocabulary.Cities.Select(c => c.Location.Country).Distinct().Order(StringComparer.Ordinal).ToArray();
        Parallel.For(0, (n + 4095) / 4096, options, chunk =>
        {
            for (var m = chunk * 4096; m < Math.Min(n, (chunk + 1) * 4096); m++)
            {
                BuildMember(m, countries);
            }
        });
        var byOccupation = new List<int>[Vocabulary.Occupations.Count];
        for (var o = 0; o < byOccupation.Length; o++)
        {
            byOccupation[o] = [];
        }
        for (var m = 0; m < n; m++)
        {
            byOccupation[MemberOccupation[m]].Add(m);
        }
        MembersByOccupation = [.. byOccupation.Select(l => l.ToArray())];
        var companyCounts = new int[CompanyCount];
        foreach (var c in MemberCompany)
        {
            companyCounts[c]++;
        }
        MembersByCompany = [.. companyCounts.Select(count => new int[count])];
        Array.Clear(companyCounts);
        for (var m = 0; m < n; m++)
        {
            MembersByCompany[MemberCompany[m]][companyCounts[MemberCompany[m]]++] = m;
        }
    }

    private void BuildMember(int m, string[] countries)
    {
        var rng = SeededRandom.For(Config.Seed, Streams.Member, m);
        var family = PickFamily(rng);
        var occupations = Vocabulary.OccupationsByFamily[family];
        var occupation = occupations[rng.NextInt(occupations.Length)];
        MemberOccupation[m] = occupation;
        var years = Math.Min(40, (int)(rng.NextGamma(2.0) * 4.0));
        MemberYears[m] = years;
        MemberSeniority[m] = SeniorityFor(years, rng);
        MemberCity[m] = PickCity(rng);
        MemberRemote[m] = (WorkplaceType)rng.PickWeighted([0.4f, 0.4f, 0.2f]);
        var companies = CompaniesByFamily[family];
        MemberCompany[m] = companies.Length > 0 ? companies[rng.NextInt(companies.Length)] : rng.NextInt(CompanyCount);

        var u = rng.NextDouble();
        var level = u < Config.HeavyShare ? ActivityLevel.Heavy
            : u < Config.HeavyShare + Config.RegularShare ? ActivityLevel.Regular
            : u < Config.HeavyShare + Config.RegularShare + Config.OccasionalShare ? ActivityLevel.Occasional
            : u < Config.HeavyShare + Config.RegularShare + Config.OccasionalShare + Config.NewShare ? ActivityLevel.New
            : ActivityLevel.Dormant;
        MemberLevel[m] = level;
        MemberJoinDay[m] = level == ActivityLevel.New ? Config.Days
            : rng.Bernoulli(Config.JoinDuringWindowShare) ? rng.NextInt(Config.Days)
            : -1 - rng.NextInt(3000);
        var levelRate = level switch
        {
            ActivityLevel.Heavy => Config.HeavySessionsPerDay,
            ActivityLevel.Regular => Config.RegularSessionsPerDay,
            ActivityLevel.Occasional => Config.OccasionalSessionsPerDay,
            ActivityLevel.Dormant => Config.DormantSessionsPerDay,
            _ => 0,
        };
        // Log-normal multiplier with mean 1: exp(sigma * z - sigma^2 / 2).
        var sigma = Config.SessionRateSigma;
        SessionRate[m] = (float)(levelRate * Math.Exp(sigma * rng.NextGaussian() - sigma * sigma / 2));
        EngagementBias[m] = (float)(0.5 * rng.NextGaussian());
        JobSeeking[m] = (float)(rng.Bernoulli(0.12) ? 0.3 + 0.3 * rng.NextDouble() : 0.02 + 0.06 * rng.NextDouble());
        PreferredHour[m] = (byte)(7 + rng.NextInt(16));

        MemberSkills[m] = DrawMemberSkills(occupation, family, rng);
        var licence = Vocabulary.OccupationLicence[occupation];
        MemberCredentials[m] = licence is not null && rng.Bernoulli(0.92) ? [licence] : [];
        var home = CountryOfCity(MemberCity[m]);
        if (rng.Bernoulli(0.15))
        {
            var other = countries[rng.NextInt(countries.Length)];
            MemberAuthorisations[m] = other == home ? [home] : string.CompareOrdinal(home, other) < 0 ? [home, other] : [other, home];
        }
        else
        {
            MemberAuthorisations[m] = [home];
        }
        DrawInterestTrajectory(m, family, rng);
    }

    private static Seniority SeniorityFor(int years, SeededRandom rng)
    {
        var level = years switch
        {
            < 1 => 0,
            < 3 => 1,
            < 6 => 2,
            < 12 => 3,
            < 20 => 4,
            _ => 5,
        };
        // Careers differ: one level up or down a quarter of the time.
        var jitter = rng.NextDouble();
        level += jitter < 0.125 ? -1 : jitter < 0.25 ? 1 : 0;
        return (Seniority)Math.Clamp(level, 0, 5);
    }

    private int[] DrawMemberSkills(int occupation, int family, SeededRandom rng)
    {
        var own = Vocabulary.OccupationSkillIds[occupation];
        var skills = new SortedSet<int>();
        foreach (var s in own)
        {
            if (rng.Bernoulli(0.75))
            {
                skills.Add(s);
            }
        }
        var siblings = Vocabulary.OccupationsByFamily[family];
        var extra = 1 + rng.NextInt(3);
        for (var i = 0; i < extra; i++)
        {
            var sibling = Vocabulary.OccupationSkillIds[siblings[rng.NextInt(siblings.Length)]];
            if (sibling.Length > 0)
            {
                skills.Add(sibling[rng.NextInt(sibling.Length)]);
            }
        }
        if (skills.Count == 0 && own.Length > 0)
        {
            skills.Add(own[0]);
        }
        return [.. skills];
    }

    private void DrawInterestTrajectory(int m, int family, SeededRandom rng)
    {
        var k = TopicCount;
        var from = InterestFrom.AsSpan(m * k, k);
        var to = InterestTo.AsSpan(m * k, k);
        // Base mix: the family's topics dominate (Gamma(2) weights), others get a thin Gamma(0.3) tail.
        for (var t = 0; t < k; t++)
        {
            from[t] = (float)(0.15 * rng.NextGamma(0.3));
        }
        foreach (var t in Vocabulary.Families[family].Topics)
        {
            from[t] += (float)rng.NextGamma(2.0);
        }
        Normalize(from);
        // Drift: a neighbouring topic of the current favourite grows to ~40% of attention
        // (topics are ordered so that neighbours are related: ML -> distributed systems, hiring -> careers).
        var favourite = 0;
        for (var t = 1; t < k; t++)
        {
            if (from[t] > from[favourite])
            {
                favourite = t;
            }
        }
        var step = rng.NextInt(4) switch { 0 => -2, 1 => -1, 2 => 1, _ => 2 };
        var target = ((favourite + step) % k + k) % k;
        for (var t = 0; t < k; t++)
        {
            to[t] = 0.6f * from[t];
        }
        to[target] += 0.4f;
        Normalize(to);
        ShiftDay[m] = (float)(-Config.Days * 0.5 + rng.NextDouble() * Config.Days * 2.0);
        ShiftWidth[m] = (float)(2 + 8 * rng.NextDouble());
    }

    private static void Normalize(Span<float> v)
    {
        float sum = 0;
        foreach (var x in v)
        {
            sum += x;
        }
        for (var i = 0; i < v.Length; i++)
        {
            v[i] /= sum;
        }
    }
}
