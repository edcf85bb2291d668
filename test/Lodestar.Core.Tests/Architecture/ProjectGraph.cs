// The references between Lodestar's src projects, read from their .csproj files and from the layout picture in
// the README, and the rules that keep every arrow pointing down.
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Lodestar.Core.Tests.Architecture;

/// <summary>Projects by short name (Kernels for Lodestar.Kernels), each with the short names it references.</summary>
public sealed partial record ProjectGraph(IReadOnlyDictionary<string, IReadOnlySet<string>> References)
{
    /// <summary>What Models and Features never reference, so a program that only scores needs neither trainer nor evaluator.</summary>
    public static readonly IReadOnlySet<string> RunWithoutTrainerOrEvaluator = new HashSet<string>(StringComparer.Ordinal)
    {
        "Training", "Evaluation", "Experiments", "Compression", "Pipelines", "Serving", "Bench", "Cli",
    };

    /// <summary>Projects that the engine and serving use: none may reference Training.</summary>
    public static readonly IReadOnlySet<string> NeverReferenceTraining = new HashSet<string>(StringComparer.Ordinal)
    {
        "Core", "Kernels", "Tensors", "Nn", "Models", "Data", "Text", "Policy", "Evaluation", "Features", "Index", "Pipelines", "Serving",
    };

    /// <summary>Reads every src/*/Lodestar.*.csproj under <paramref name="root"/>.</summary>
    public static ProjectGraph FromProjects(string root)
    {
        var references = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var project in Directory.GetFiles(Path.Combine(root, "src"), "Lodestar.*.csproj", SearchOption.AllDirectories))
        {
            var referenced = XDocument.Load(project).Descendants("ProjectReference")
                .Select(r => ShortName(Path.GetFileNameWithoutExtension((string?)r.Attribute("Include") ?? "")))
                .ToHashSet(StringComparer.Ordinal);
            references[ShortName(Path.GetFileNameWithoutExtension(project))] = referenced;
        }
        return new ProjectGraph(references);
    }

    /// <summary>
    /// Reads the picture in the README's Layout section: one line a project, highest layer first, as
    /// <c>Name -> Ref, Ref (what it holds)</c>, or the bare name for a project that references nothing of ours.
    /// Returns the graph and the layer order, highest first.
    /// </summary>
    public static (ProjectGraph Graph, IReadOnlyList<string> LayersTopFirst) FromReadme(string readmePath)
    {
        var lines = File.ReadAllLines(readmePath);
        var start = Array.FindIndex(lines, l => l.Contains(PictureHeading, StringComparison.Ordinal));
        if (start < 0)
        {
            throw new InvalidDataException($"{readmePath}: no line containing \"{PictureHeading}\" opens the layout picture");
        }
        var references = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        var layers = new List<string>();
        for (var i = start + 1; i < lines.Length; i++)
        {
            var match = PictureLine().Match(lines[i]);
            if (!match.Success)
            {
                break;
            }
            var name = match.Groups["name"].Value;
            layers.Add(name);
            references[name] = match.Groups["refs"].Value
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .ToHashSet(StringComparer.Ordinal);
        }
        return (new ProjectGraph(references), layers);
    }

    /// <summary>The words that open the README's picture; its lines follow directly.</summary>
    public const string PictureHeading = "keeps this picture equal to the .csproj files";

    /// <summary>Every arrow that points the wrong way, as "From -> To: why"; empty when the graph is sound.</summary>
    public IReadOnlyList<string> Violations(IReadOnlyList<string> layersTopFirst)
    {
        var rank = layersTopFirst.Select((name, index) => (name, index)).ToDictionary(p => p.name, p => layersTopFirst.Count - p.index, StringComparer.Ordinal);
        var violations = new List<string>();
        foreach (var (from, targets) in References.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!rank.ContainsKey(from))
            {
                violations.Add($"{from}: not in the layout picture (give it a line there)");
                continue;
            }
            foreach (var to in targets.Order(StringComparer.Ordinal))
            {
                if (from == "Core")
                {
                    violations.Add($"Core -> {to}: Core references nothing of ours");
                }
                if (to == "Cli")
                {
                    violations.Add($"{from} -> Cli: nothing references the command line");
                }
                if (from == "Index" && to is not ("Kernels" or "Core"))
                {
                    violations.Add($"Index -> {to}: the index needs only Kernels and Core");
                }
                if (to == "Training" && NeverReferenceTraining.Contains(from))
                {
                    violations.Add($"{from} -> Training: {from} never references Training");
                }
                if (from is "Models" or "Features" && to != "Training" && RunWithoutTrainerOrEvaluator.Contains(to))
                {
                    violations.Add($"{from} -> {to}: models and features run without the trainer, the evaluator and everything above them");
                }
                if (!rank.TryGetValue(to, out var toRank))
                {
                    violations.Add($"{from} -> {to}: {to} is not in the layout picture");
                }
                else if (toRank >= rank[from])
                {
                    violations.Add($"{from} -> {to}: {to} is not below {from} in the layout picture");
                }
            }
        }
        return violations;
    }

    /// <summary>Differences from <paramref name="other"/>, as "Name: ..." lines; empty when both hold the same arrows.</summary>
    public IReadOnlyList<string> DifferencesFrom(ProjectGraph other)
    {
        var differences = new List<string>();
        foreach (var name in References.Keys.Union(other.References.Keys).Order(StringComparer.Ordinal))
        {
            if (!References.TryGetValue(name, out var mine))
            {
                differences.Add($"{name}: only in the other graph");
            }
            else if (!other.References.TryGetValue(name, out var theirs))
            {
                differences.Add($"{name}: missing from the other graph");
            }
            else if (!mine.SetEquals(theirs))
            {
                differences.Add($"{name}: references {Join(mine)} here, {Join(theirs)} there");
            }
        }
        return differences;
    }

    private static string Join(IEnumerable<string> names) => names.Any() ? string.Join(", ", names.Order(StringComparer.Ordinal)) : "nothing";

    private static string ShortName(string projectName) =>
        projectName.StartsWith("Lodestar.", StringComparison.Ordinal) ? projectName["Lodestar.".Length..] : projectName;

    [GeneratedRegex(@"^\s+(?<name>[A-Z][A-Za-z]*)\s*(->\s*(?<refs>[A-Za-z, ]*[A-Za-z]))?\s*(\(.*\))?\s*$")]
    private static partial Regex PictureLine();
}
