// The vocabulary a world is generated from: occupations (with titles, typical skills, a family and an
// optional licence), feed topics, occupation families with their topic priors, and places.
using Lodestar.Data.Schema;

namespace Lodestar.Data.Vocabularies;

/// <summary>A coarse job family: the industry its jobs belong to and the feed topics its members care about
/// (indices into <see cref="WorldVocabulary.Topics"/>).</summary>
public sealed record OccupationFamily(string Name, string Industry, IReadOnlyList<int> Topics, IReadOnlyList<string> FieldsOfStudy);

/// <summary>A city a member, company or job can be in; <c>Weight</c> is its relative population.</summary>
public sealed record City(Location Location, float Weight);

public sealed class WorldVocabulary
{
    public WorldVocabulary(
        string source,
        IReadOnlyList<Occupation> occupations,
        IReadOnlyList<int> occupationFamily,
        IReadOnlyList<string?> occupationLicence,
        IReadOnlyList<OccupationFamily> families,
        IReadOnlyList<string> topics,
        IReadOnlyList<City> cities)
    {
        if (occupations.Count == 0)
        {
            throw new ArgumentException($"vocabulary '{source}' has no occupations", nameof(occupations));
        }
        if (occupationFamily.Count != occupations.Count || occupationLicence.Count != occupations.Count)
        {
            throw new ArgumentException($"vocabulary '{source}': one family and one licence entry per occupation");
        }
        Source = source;
        Occupations = occupations;
        OccupationFamily = occupationFamily;
        OccupationLicence = occupationLicence;
        Families = families;
        Topics = topics;
        Cities = cities;
        var skills = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var occupation in occupations)
        {
            skills.UnionWith(occupation.Skills);
        }
        Skills = [.. skills];
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Skills.Count; i++)
        {
            index[Skills[i]] = i;
        }
        SkillIndex = index;
        OccupationSkillIds = [.. occupations.Select(o => o.Skills.Select(s => index[s]).ToArray())];
        OccupationsByFamily = [.. Enumerable.Range(0, families.Count).Select(f => Enumerable.Range(0, occupations.Count).Where(o => occupationFamily[o] == f).ToArray())];
    }

    /// <summary>"builtin" or "esco:&lt;dir&gt;".</summary>
    public string Source { get; }

    /// <summary>The vocabulary a generated world's manifest names ("builtin" or "esco:&lt;directory&gt;"), loaded again.</summary>
    public static WorldVocabulary OfManifest(WorldManifest manifest, string manifestPath)
    {
        var source = manifest.Parameters.ValueKind == System.Text.Json.JsonValueKind.Object && manifest.Parameters.TryGetProperty("vocabulary", out var v) ? v.GetString() : null;
        return source switch
        {
            "builtin" => BuiltInVocabulary.Create(),
            { } esco when esco.StartsWith("esco:", StringComparison.Ordinal) => EscoVocabulary.Load(esco["esco:".Length..]),
            _ => throw new ArgumentException($"{manifestPath}: parameters.vocabulary is '{source}'; 'builtin' or 'esco:<directory>' is needed to rebuild the world"),
        };
    }

    public IReadOnlyList<Occupation> Occupations { get; }

    public IReadOnlyList<int> OccupationFamily { get; }

    /// <summary>The licence an occupation legally requires (a regulated profession), or null.</summary>
    public IReadOnlyList<string?> OccupationLicence { get; }

    public IReadOnlyList<OccupationFamily> Families { get; }

    public IReadOnlyList<string> Topics { get; }

    public IReadOnlyList<City> Cities { get; }

    /// <summary>Every skill of every occupation, sorted ordinally: skill ids index this list.</summary>
    public IReadOnlyList<string> Skills { get; }

    public IReadOnlyDictionary<string, int> SkillIndex { get; }

    public IReadOnlyList<int[]> OccupationSkillIds { get; }

    public IReadOnlyList<int[]> OccupationsByFamily { get; }
}
