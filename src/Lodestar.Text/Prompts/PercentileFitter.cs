// Fits the percentile distributions of a template's percentile fields on a world (the training data):
// each field's source is read from every entity of its kind (all members, all jobs or all posts).
using System.Globalization;

namespace Lodestar.Text.Prompts;

public static class PercentileFitter
{
    /// <summary>The table for <paramref name="template"/>, or null when it has no percentile fields.</summary>
    public static PercentileTable? Fit(PromptTemplate template, WorldSnapshot world, string fittedOn)
    {
        var populations = new Dictionary<string, List<Dictionary<string, PromptValue>>>(StringComparer.Ordinal);
        return Fit(template, prefix =>
        {
            if (!populations.TryGetValue(prefix, out var population))
            {
                population = Population(world, prefix);
                populations[prefix] = population;
            }
            return population;
        }, world.Directory, fittedOn);
    }

    /// <summary>
    /// The table for <paramref name="template"/> fitted on the attributes <paramref name="population"/> gives for a
    /// source prefix ("post.", ...), or null when it has no percentile fields; <paramref name="origin"/> names the data in errors.
    /// </summary>
    public static PercentileTable? Fit(PromptTemplate template, Func<string, IEnumerable<IReadOnlyDictionary<string, PromptValue>>> population, string origin, string fittedOn)
    {
        var fields = template.Fields.Where(f => f.Format == FieldFormat.Percentile).ToList();
        if (fields.Count == 0)
        {
            return null;
        }
        var byField = new Dictionary<string, PercentileDistribution>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            var prefix = field.Source[..(field.Source.IndexOf('.', StringComparison.Ordinal) + 1)];
            var values = population(prefix).Select(a => a.GetValueOrDefault(field.Source)).Where(v => v is not null).Select(v => v!.Number).ToList();
            if (values.Count == 0)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"template {template.Origin}, line {field.Line}, field '{field.Name}': no {prefix.TrimEnd('.')} in {origin} to fit {field.Source} on"));
            }
            byField[field.Name] = PercentileDistribution.Fit(field.Source, values, field.Buckets);
        }
        return new PercentileTable(byField, fittedOn);
    }

    // Entities in id order, so the fit never depends on dictionary order.
    private static List<Dictionary<string, PromptValue>> Population(WorldSnapshot world, string prefix) => prefix switch
    {
        "member." => [.. world.Members.Values.OrderBy(m => m.Id).Select(m => PromptSubjects.MemberAttributes(world, m))],
        "job." => [.. world.Jobs.Values.OrderBy(j => j.Id).Select(j => PromptSubjects.JobAttributes(world, j))],
        "post." => [.. world.Posts.Values.OrderBy(p => p.Id).Select(p => PromptSubjects.PostAttributes(world, p))],
        _ => throw new ArgumentException($"no population for source prefix '{prefix}'", nameof(prefix)),
    };
}
