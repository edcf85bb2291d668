// Draws the job postings and the feed posts of a world. Posts are sorted by creation time so that post
// ids follow time and the feed simulator can find the live window of a day by binary search.
using Lodestar.Core;
using Lodestar.Data.Schema;

namespace Lodestar.Data.Generation;

internal sealed partial class WorldModel
{
    private void BuildJobs(ParallelOptions options)
    {
        var n = JobCount;
        var postedDay = new int[n];
        for (var j = 0; j < n; j++)
        {
            var rng = SeededRandom.For(Config.Seed, Streams.Job, j);
            postedDay[j] = rng.NextInt(Config.Days + Config.JobLifetimeDays) - Config.JobLifetimeDays;
        }
        // Ids follow posting day; the original draw index breaks ties so the order is a pure function of the seed.
        var order = Enumerable.Range(0, n).OrderBy(j => postedDay[j]).ThenBy(j => j).ToArray();
        JobCompany = new int[n];
        JobOccupation = new int[n];
        JobSeniority = new Seniority[n];
        JobCity = new int[n];
        JobWorkplace = new WorkplaceType[n];
        JobRequired = new int[n][];
        JobNice = new int[n][];
        JobHard = new HardRequirement[n][];
        JobPostedDay = new int[n];
        Parallel.For(0, n, options, j =>
        {
            var source = order[j];
            var rng = SeededRandom.For(Config.Seed, Streams.Job, source);
            rng.NextUInt64();
            JobPostedDay[j] = postedDay[source];
            var company = rng.NextInt(CompanyCount);
            JobCompany[j] = company;
            var occupations = Vocabulary.OccupationsByFamily[CompanyFamily[company]];
            var occupation = occupations[rng.NextInt(occupations.Length)];
            JobOccupation[j] = occupation;
            JobSeniority[j] = (Seniority)rng.PickWeighted([0.05f, 0.25f, 0.25f, 0.3f, 0.1f, 0.05f]);
            JobCity[j] = rng.Bernoulli(0.7) ? CompanyCity[company] : PickCity(rng);
            JobWorkplace[j] = (WorkplaceType)rng.PickWeighted([0.45f, 0.4f, 0.15f]);
            var skills = Vocabulary.OccupationSkillIds[occupation].ToArray();
            rng.Shuffle<int>(skills);
            var required = Math.Min(skills.Length, 3 + rng.NextInt(3));
            var nice = Math.Min(skills.Length - required, 1 + rng.NextInt(3));
            JobRequired[j] = [.. skills.AsSpan(0, required).ToArray().Order()];
            JobNice[j] = [.. skills.AsSpan(required, nice).ToArray().Order()];
            var hard = new List<HardRequirement>(2);
            if (Vocabulary.OccupationLicence[occupation] is { } licence)
            {
                hard.Add(new HardRequirement("licence", licence));
            }
            if (rng.Bernoulli(0.35))
            {
                hard.Add(new HardRequirement("work_authorisation", CountryOfCity(JobCity[j])));
            }
            JobHard[j] = [.. hard];
        });
    }

    private void BuildPosts(ParallelOptions options)
    {
        var n = PostCount;
        var firstSecond = -(long)Config.PostLifetimeDays * 86400;
        var span = (long)(Config.Days + Config.PostLifetimeDays) * 86400;
        var offsets = new long[n];
        for (var p = 0; p < n; p++)
        {
            var rng = SeededRandom.For(Config.Seed, Streams.PostOrder, p);
            offsets[p] = firstSecond + (long)(rng.NextDouble() * span);
        }
        var order = Enumerable.Range(0, n).OrderBy(p => offsets[p]).ThenBy(p => p).ToArray();
        // Member authors are drawn in proportion to activity: a cumulative session-rate table (new members never post).
        var cumulative = new double[MemberCount];
        double total = 0;
        for (var m = 0; m < MemberCount; m++)
        {
            total += SessionRate[m] + 0.002;
            cumulative[m] = total;
        }
        PostAuthorMember = new int[n];
        PostAuthorCompany = new int[n];
        PostTopics = new byte[n * TopicsPerPost];
        PostTopicWeights = new float[n * TopicsPerPost];
        PostFormats = new PostFormat[n];
        PostTime = new long[n];
        PostDay = new int[n];
        PostQuality = new float[n];
        var start = Config.StartUnixSeconds;
        Parallel.For(0, (n + 4095) / 4096, options, chunk =>
        {
            Span<float> interest = stackalloc float[TopicCount];
            for (var p = chunk * 4096; p < Math.Min(n, (chunk + 1) * 4096); p++)
            {
                var source = order[p];
                var rng = SeededRandom.For(Config.Seed, Streams.Post, source);
                var offset = offsets[source];
                PostTime[p] = start + offset;
                PostDay[p] = (int)Math.Floor(offset / 86400.0);
                PostFormats[p] = (PostFormat)rng.PickWeighted(FormatWeights);
                // Latent quality: log-normal with mean 1 (sigma 0.6), so a few posts are much better than most.
                PostQuality[p] = (float)Math.Exp(0.6 * rng.NextGaussian() - 0.18);
                if (rng.Bernoulli(Config.CompanyPostShare))
                {
                    var company = rng.NextInt(CompanyCount);
                    PostAuthorMember[p] = -1;
                    PostAuthorCompany[p] = company;
                    interest.Clear();
                    foreach (var t in Vocabulary.Families[CompanyFamily[company]].Topics)
                    {
                        interest[t] = 1;
                    }
                }
                else
                {
                    var author = Array.BinarySearch(cumulative, rng.NextDouble() * total);
                    author = Math.Min(MemberCount - 1, author < 0 ? ~author : author);
                    PostAuthorMember[p] = author;
                    PostAuthorCompany[p] = -1;
                    InterestOn(author, PostDay[p], interest);
                }
                DrawPostTopics(p, interest, rng);
            }
        });
    }

    private void DrawPostTopics(int p, Span<float> interest, SeededRandom rng)
    {
        var count = 1 + rng.NextInt(TopicsPerPost);
        var topics = PostTopics.AsSpan(p * TopicsPerPost, TopicsPerPost);
        var weights = PostTopicWeights.AsSpan(p * TopicsPerPost, TopicsPerPost);
        float sum = 0;
        for (var i = 0; i < count; i++)
        {
            var t = rng.PickWeighted(interest);
            topics[i] = (byte)t;
            weights[i] = (float)rng.NextGamma(1.5);
            sum += weights[i];
            interest[t] *= 0.05f;
        }
        for (var i = 0; i < count; i++)
        {
            weights[i] /= sum;
        }
    }
}
