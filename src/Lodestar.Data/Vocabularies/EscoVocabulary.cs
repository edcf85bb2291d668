// Builds a world vocabulary from an ESCO CSV export (esco.ec.europa.eu): occupations_en.csv gives titles,
// alternative titles, ISCO groups and regulated-profession notes; skills come from skills_en_label.txt or
// the skill-collection CSVs. The export used here has no occupation–skill relations, so each occupation's
// typical skills are the skill labels sharing the most content words with its title and description.
using Lodestar.Core;
using Lodestar.Data.Readers;
using Lodestar.Data.Schema;

namespace Lodestar.Data.Vocabularies;

public static class EscoVocabulary
{
    private const int SkillsPerOccupation = 10;

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "and", "or", "the", "of", "to", "in", "for", "a", "an", "on", "with", "by", "as", "their", "they", "such",
        "other", "at", "from", "be", "is", "are", "that", "this", "which", "into", "including", "use", "using", "work",
        "perform", "ensure", "related", "activities", "also", "may", "all", "it", "its", "them", "who", "can",
    };

    // ISCO-08 sub-major (2-digit) groups mapped onto the built-in families; others fall back on the major group.
    private static readonly Dictionary<string, int> SubMajorFamily = new(StringComparer.Ordinal)
    {
        ["21"] = 5, ["22"] = 1, ["23"] = 4, ["24"] = 2, ["25"] = 0, ["26"] = 3,
        ["31"] = 5, ["32"] = 1, ["33"] = 2, ["34"] = 3, ["35"] = 0, ["12"] = 7, ["13"] = 5, ["14"] = 3,
    };

    private static readonly int[] MajorFamily = [6, 7, 0, 5, 2, 3, 5, 5, 6, 6];

    public static WorldVocabulary Load(string directory)
    {
        var occupationsPath = Path.Combine(directory, "occupations_en.csv");
        if (!File.Exists(occupationsPath))
        {
            throw new FileNotFoundException($"{occupationsPath}: ESCO occupations file not found (expected occupations_en.csv in --esco {directory})", occupationsPath);
        }
        var skills = LoadSkills(directory);
        var skillTokens = skills.Select(Tokens).ToArray();
        var skillsByToken = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var s = 0; s < skills.Count; s++)
        {
            foreach (var token in skillTokens[s])
            {
                if (!skillsByToken.TryGetValue(token, out var list))
                {
                    skillsByToken[token] = list = [];
                }
                list.Add(s);
            }
        }

        var scores = new int[skills.Count];
        var touched = new List<int>();
        var occupations = new List<Occupation>();
        var families = new List<int>();
        var licences = new List<string?>();
        using var csv = CsvReader.Open(occupationsPath);
        foreach (var (line, fields) in csv.ReadWithHeader())
        {
            var label = Required(fields, "preferredLabel", occupationsPath, line);
            var isco = Required(fields, "iscoGroup", occupationsPath, line);
            var alt = fields.GetValueOrDefault("altLabels", "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var text = label + " " + fields.GetValueOrDefault("description", "");
            var occupationSkills = MatchSkills(Tokens(text), skills, skillsByToken, scores, touched, (ulong)occupations.Count);
            var family = FamilyOf(isco);
            var regulated = fields.GetValueOrDefault("regulatedProfessionNote", "");
            var isRegulated = regulated.Length > 0 && !regulated.EndsWith("/unregulated", StringComparison.Ordinal);
            occupations.Add(new Occupation(occupations.Count, label, alt, isco, BuiltInVocabulary.FamilyList[family].Industry, occupationSkills, "esco"));
            families.Add(family);
            licences.Add(isRegulated ? $"licence: {label}" : null);
        }
        return new WorldVocabulary($"esco:{directory}", occupations, families, licences, BuiltInVocabulary.FamilyList, BuiltInVocabulary.Topics, BuiltInVocabulary.Cities);
    }

    private static List<string> LoadSkills(string directory)
    {
        var labels = Path.Combine(directory, "skills_en_label.txt");
        if (File.Exists(labels))
        {
            return [.. File.ReadLines(labels).Select(l => l.Trim()).Where(l => l.Length > 0).Distinct(StringComparer.Ordinal)];
        }
        var skills = new List<string>();
        foreach (var name in new[] { "skills_en.csv", "transversalSkillsCollection_en.csv", "ictSkillsCollection_en.csv", "languageSkillsCollection_en.csv" })
        {
            var path = Path.Combine(directory, name);
            if (!File.Exists(path))
            {
                continue;
            }
            using var csv = CsvReader.Open(path);
            foreach (var (line, fields) in csv.ReadWithHeader())
            {
                skills.Add(Required(fields, "preferredLabel", path, line));
            }
        }
        if (skills.Count == 0)
        {
            throw new FileNotFoundException($"{directory}: no ESCO skills (expected skills_en_label.txt or skills_en.csv)");
        }
        return [.. skills.Distinct(StringComparer.Ordinal)];
    }

    private static string[] MatchSkills(HashSet<string> occupationTokens, List<string> skills, Dictionary<string, List<int>> skillsByToken, int[] scores, List<int> touched, ulong occupationIndex)
    {
        // scores is a reused per-skill counter; touched lists the skills it holds non-zero counts for.
        touched.Clear();
        foreach (var token in occupationTokens)
        {
            if (skillsByToken.TryGetValue(token, out var list) && list.Count < 400)
            {
                foreach (var s in list)
                {
                    if (scores[s]++ == 0)
                    {
                        touched.Add(s);
                    }
                }
            }
        }
        touched.Sort((a, b) => scores[a] != scores[b] ? scores[b].CompareTo(scores[a]) : a.CompareTo(b));
        var chosen = touched.Take(SkillsPerOccupation).ToList();
        foreach (var s in touched)
        {
            scores[s] = 0;
        }
        // Too few word matches: fill with skills drawn by a fixed seed so the vocabulary is still deterministic.
        var rng = SeededRandom.For(0x45534330, 1, (long)occupationIndex);
        while (chosen.Count < SkillsPerOccupation / 2)
        {
            var s = rng.NextInt(skills.Count);
            if (!chosen.Contains(s))
            {
                chosen.Add(s);
            }
        }
        return [.. chosen.Select(s => skills[s])];
    }

    private static int FamilyOf(string isco)
    {
        if (isco.Length >= 2 && SubMajorFamily.TryGetValue(isco[..2], out var family))
        {
            return family;
        }
        return isco.Length > 0 && char.IsAsciiDigit(isco[0]) ? MajorFamily[isco[0] - '0'] : 6;
    }

    private static HashSet<string> Tokens(string text)
    {
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in text.ToLowerInvariant().Split([' ', ',', '.', ';', ':', '(', ')', '/', '\n', '\r', '\t', '-', '\''], StringSplitOptions.RemoveEmptyEntries))
        {
            if (raw.Length > 2 && !StopWords.Contains(raw))
            {
                tokens.Add(raw.Length > 4 && raw.EndsWith('s') ? raw[..^1] : raw);
            }
        }
        return tokens;
    }

    private static string Required(IReadOnlyDictionary<string, string> fields, string name, string file, long line)
    {
        if (!fields.TryGetValue(name, out var value))
        {
            throw new Storage.DataFormatException(file, 1, name, "column missing from the header");
        }
        return value.Length > 0 ? value.Trim() : throw new Storage.DataFormatException(file, line, name, "empty");
    }
}
