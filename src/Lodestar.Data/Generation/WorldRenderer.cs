// Turns the compact world state into schema records with text: company names, member headlines, work
// histories and education, job descriptions and post texts. Text details draw from their own derived
// streams, so rendering needs no stored state and gives the same bytes on every run.
using Lodestar.Core;
using Lodestar.Data.Schema;

namespace Lodestar.Data.Generation;

internal sealed class WorldRenderer(WorldModel world)
{
    private static readonly string[] NameStarts = ["Nor", "Vel", "Aur", "Cal", "Bri", "Ost", "Lum", "Ter", "Quin", "Mar", "Sol", "Hal", "Dra", "Ev", "Kes", "Pol"];
    private static readonly string[] NameEnds = ["ora", "ex", "ant", "ica", "ion", "ara", "well", "stone", "ford", "io", "yx", "ent"];
    private static readonly string[] NameSuffixes = ["Labs", "Group", "Systems", "Partners", "Health", "Works", "& Co", "Solutions", "Logistics", "Institute"];
    private static readonly string[] Sizes = ["1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001-10000", "10001+"];
    private static readonly string[] SchoolKinds = ["University of", "Technical University of", "Institute of Technology,", "College of"];
    private static readonly string[] PostOpeners = ["Thoughts on", "Lessons I learned about", "A short guide to", "What nobody tells you about", "Our team's take on", "Five myths about", "Why I care about", "Notes from a conference on"];
    private static readonly string[] PostClosers = ["What has your experience been?", "Curious to hear other views.", "Link in the comments.", "Happy to share more details.", "Agree or disagree?"];

    private WorldModel W => world;

    public string CompanyName(int c)
    {
        var rng = SeededRandom.For(W.Config.Seed, Streams.Company, c + (1L << 40));
        return $"{NameStarts[rng.NextInt(NameStarts.Length)]}{NameEnds[rng.NextInt(NameEnds.Length)]} {NameSuffixes[rng.NextInt(NameSuffixes.Length)]}";
    }

    public Company Company(int c)
    {
        var rng = SeededRandom.For(W.Config.Seed, Streams.Company, c + (2L << 40));
        var family = W.Vocabulary.Families[W.CompanyFamily[c]];
        return new Company(c + 1, CompanyName(c), family.Industry, W.Vocabulary.Cities[W.CompanyCity[c]].Location, Sizes[rng.NextInt(Sizes.Length)]);
    }

    public Member Member(int m)
    {
        var rng = SeededRandom.For(W.Config.Seed, Streams.MemberProfile, m);
        var vocabulary = W.Vocabulary;
        var occupation = vocabulary.Occupations[W.MemberOccupation[m]];
        var title = occupation.AltTitles.Count > 0 && rng.Bernoulli(0.4) ? occupation.AltTitles[rng.NextInt(occupation.AltTitles.Count)] : occupation.Label;
        var skills = W.MemberSkills[m].Select(s => vocabulary.Skills[s]).ToArray();
        var company = W.MemberCompany[m];
        var companyName = CompanyName(company);
        var headline = skills.Length >= 2
            ? $"{Capitalise(title)} at {companyName} | {skills[0]}, {skills[1]}"
            : $"{Capitalise(title)} at {companyName}";
        var history = WorkHistory(m, title, company, rng);
        var family = vocabulary.Families[vocabulary.OccupationFamily[W.MemberOccupation[m]]];
        var graduation = W.Config.StartDateTime.Year - W.MemberYears[m] - rng.NextInt(2);
        var degree = (DegreeLevel)rng.PickWeighted([0.1f, 0.15f, 0.45f, 0.25f, 0.05f]);
        var education = new List<Education>
        {
            new(degree, family.FieldsOfStudy[rng.NextInt(family.FieldsOfStudy.Count)], School(rng), graduation),
        };
        if (degree >= DegreeLevel.Master)
        {
            education.Insert(0, new Education(DegreeLevel.Bachelor, family.FieldsOfStudy[rng.NextInt(family.FieldsOfStudy.Count)], School(rng), graduation - 2));
        }
        return new Member(
            m + 1, headline, title, W.MemberOccupation[m], W.MemberSeniority[m], W.MemberYears[m], skills, occupation.Industry,
            vocabulary.Cities[W.MemberCity[m]].Location, W.MemberRemote[m], education, history, W.MemberCredentials[m],
            W.MemberAuthorisations[m], W.MemberLevel[m], W.MemberJoinDay[m]);
    }

    /// <summary>The member's profile after adding a skill of an occupation in their family they do not list yet, which
    /// then leads their headline; null when the family has no such skill.</summary>
    public Member? EditedMember(int m, SeededRandom rng)
    {
        var vocabulary = W.Vocabulary;
        var held = W.MemberSkills[m];
        var candidates = vocabulary.OccupationsByFamily[W.MemberFamily(m)]
            .SelectMany(o => vocabulary.OccupationSkillIds[o])
            .Where(s => Array.IndexOf(held, s) < 0)
            .Distinct()
            .Order()
            .ToArray();
        if (candidates.Length == 0)
        {
            return null;
        }
        var profile = Member(m);
        var added = vocabulary.Skills[candidates[rng.NextInt(candidates.Length)]];
        var skills = profile.Skills.Append(added).ToArray();
        var headline = $"{Capitalise(profile.CurrentTitle)} at {CompanyName(W.MemberCompany[m])} | {added}" + (profile.Skills.Count > 0 ? $", {profile.Skills[0]}" : "");
        return profile with { Skills = skills, Headline = headline };
    }

    private List<Position> WorkHistory(int m, string currentTitle, int company, SeededRandom rng)
    {
        var vocabulary = W.Vocabulary;
        var family = vocabulary.OccupationFamily[W.MemberOccupation[m]];
        var siblings = vocabulary.OccupationsByFamily[family];
        var careerDays = Math.Max(1, W.MemberYears[m] * 365);
        var positions = 1 + Math.Min(3, W.MemberYears[m] / 4);
        var history = new List<Position>(positions);
        var currentStart = -1 - rng.NextInt(Math.Max(1, careerDays / positions));
        var start = -careerDays;
        var senior = (int)W.MemberSeniority[m];
        for (var i = 0; i < positions - 1; i++)
        {
            var end = start + Math.Max(30, (currentStart - start) / (positions - 1 - i)) - 1;
            var occupation = siblings[rng.NextInt(siblings.Length)];
            var pastCompany = rng.NextInt(W.CompanyCount);
            var level = (Seniority)Math.Max(0, senior - (positions - 1 - i));
            history.Add(new Position(vocabulary.Occupations[occupation].Label, occupation, pastCompany + 1, CompanyName(pastCompany), vocabulary.Occupations[occupation].Industry, level, start, Math.Min(end, currentStart - 1)));
            start = Math.Min(end, currentStart - 1) + 1;
        }
        history.Add(new Position(currentTitle, W.MemberOccupation[m], company + 1, CompanyName(company), W.IndustryOfMember(m), W.MemberSeniority[m], currentStart, null));
        return history;
    }

    private string School(SeededRandom rng)
    {
        var city = W.Vocabulary.Cities[rng.NextInt(W.Vocabulary.Cities.Count)].Location.City;
        return $"{SchoolKinds[rng.NextInt(SchoolKinds.Length)]} {city}";
    }

    public Job Job(int j)
    {
        var vocabulary = W.Vocabulary;
        var rng = SeededRandom.For(W.Config.Seed, Streams.Job, j + (1L << 40));
        var occupation = vocabulary.Occupations[W.JobOccupation[j]];
        var title = occupation.AltTitles.Count > 0 && rng.Bernoulli(0.3) ? occupation.AltTitles[rng.NextInt(occupation.AltTitles.Count)] : occupation.Label;
        var required = W.JobRequired[j].Select(s => vocabulary.Skills[s]).ToArray();
        var nice = W.JobNice[j].Select(s => vocabulary.Skills[s]).ToArray();
        var location = vocabulary.Cities[W.JobCity[j]].Location;
        var workplace = W.JobWorkplace[j] switch { WorkplaceType.Remote => "remote", WorkplaceType.Hybrid => "hybrid", _ => "on site" };
        var seniority = W.JobSeniority[j] switch
        {
            Seniority.Intern => "an intern",
            Seniority.Entry => "an entry-level",
            Seniority.Associate => "an associate",
            Seniority.MidSenior => "a senior",
            Seniority.Director => "a director-level",
            _ => "an executive",
        };
        var text = new System.Text.StringBuilder();
        text.Append($"{CompanyName(W.JobCompany[j])} is looking for {seniority} {title} in {location.City} ({workplace}). ");
        text.Append($"You will work with {string.Join(", ", required)}. ");
        if (nice.Length > 0)
        {
            text.Append($"Nice to have: {string.Join(", ", nice)}. ");
        }
        foreach (var requirement in W.JobHard[j])
        {
            text.Append(requirement.Kind == "work_authorisation" ? $"You must be authorised to work in {requirement.Value}. " : $"Requires a valid {requirement.Value}. ");
        }
        return new Job(
            j + 1, W.JobCompany[j] + 1, title, W.JobOccupation[j], text.ToString().TrimEnd(), required, nice, W.JobSeniority[j], location,
            W.JobWorkplace[j], W.IndustryOfJob(j), W.JobHard[j], W.JobPostedDay[j]);
    }

    public Post Post(int p)
    {
        var rng = SeededRandom.For(W.Config.Seed, Streams.PostText, p);
        var topics = new List<TopicWeight>(WorldModel.TopicsPerPost);
        for (var i = 0; i < WorldModel.TopicsPerPost; i++)
        {
            var weight = W.PostTopicWeights[p * WorldModel.TopicsPerPost + i];
            if (weight > 0)
            {
                topics.Add(new TopicWeight(W.Vocabulary.Topics[W.PostTopics[p * WorldModel.TopicsPerPost + i]], weight));
            }
        }
        var main = topics[0].Topic;
        var text = W.PostFormats[p] switch
        {
            PostFormat.Poll => $"Quick poll: how does your team approach {main}? {PostClosers[rng.NextInt(PostClosers.Length)]}",
            PostFormat.Article => $"New article: {PostOpeners[rng.NextInt(PostOpeners.Length)]} {main}" + (topics.Count > 1 ? $" and {topics[1].Topic}." : ".") + " A longer read with examples from our work.",
            PostFormat.Video => $"Video: {PostOpeners[rng.NextInt(PostOpeners.Length)].ToLowerInvariant()} {main}, in under five minutes.",
            PostFormat.Image => $"{PostOpeners[rng.NextInt(PostOpeners.Length)]} {main}, in one picture. {PostClosers[rng.NextInt(PostClosers.Length)]}",
            _ => $"{PostOpeners[rng.NextInt(PostOpeners.Length)]} {main}" + (topics.Count > 1 ? $" and {topics[1].Topic}. " : ". ") + PostClosers[rng.NextInt(PostClosers.Length)],
        };
        var authorMember = W.PostAuthorMember[p];
        var authorCompany = W.PostAuthorCompany[p];
        return new Post(p + 1, authorMember >= 0 ? authorMember + 1 : null, authorCompany >= 0 ? authorCompany + 1 : null, topics, W.PostFormats[p], text, W.PostTime[p], W.PostDay[p]);
    }

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
