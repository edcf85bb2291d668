// The templates a run may use: the built-in ones shipped inside the assembly, overridden or extended by
// a user directory of *.yaml files, each with its fitted percentiles (name.percentiles.json) beside it.
using System.Reflection;
using Lodestar.Core;

namespace Lodestar.Text.Prompts;

/// <summary>One template with its YAML text and, once fitted, its percentile distributions.</summary>
public sealed record LibraryEntry(PromptTemplate Template, string Yaml, PercentileTable? Percentiles);

public sealed class PromptLibrary
{
    private const string ResourcePrefix = "Lodestar.Text.Templates.";
    private readonly Dictionary<string, LibraryEntry> entries;

    private PromptLibrary(Dictionary<string, LibraryEntry> entries) => this.entries = entries;

    /// <summary>Templates by name, in name order.</summary>
    public IReadOnlyList<LibraryEntry> Entries => [.. entries.Values.OrderBy(e => e.Template.Name, StringComparer.Ordinal)];

    /// <summary>The built-in templates (member, job, post, pair, history).</summary>
    public static PromptLibrary LoadBuiltIn(IReadOnlyList<string>? forbidden = null)
    {
        var assembly = typeof(PromptLibrary).Assembly;
        var entries = new Dictionary<string, LibraryEntry>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var yaml = ReadResource(assembly, resource);
            var template = TemplateYamlReader.Parse(yaml, "built-in:" + resource[ResourcePrefix.Length..], forbidden);
            entries[template.Name] = new LibraryEntry(template, yaml, null);
        }
        return new PromptLibrary(entries);
    }

    /// <summary>The built-in templates, then every *.yaml in <paramref name="directory"/> (a same-named one replaces the built-in).</summary>
    public static PromptLibrary Load(string? directory, IReadOnlyList<string>? forbidden = null)
    {
        var library = LoadBuiltIn(forbidden);
        if (directory is null)
        {
            return library;
        }
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"{directory}: template directory not found");
        }
        foreach (var path in Directory.EnumerateFiles(directory, "*.yaml").Order(StringComparer.Ordinal))
        {
            var yaml = File.ReadAllText(path);
            var template = TemplateYamlReader.Parse(yaml, path, forbidden);
            var percentilesPath = Path.Combine(directory, PercentileTable.FileNameFor(template.Name));
            var percentiles = File.Exists(percentilesPath) ? PercentileTable.Load(percentilesPath) : null;
            library.entries[template.Name] = new LibraryEntry(template, yaml, percentiles);
        }
        return library;
    }

    /// <summary>The template called <paramref name="name"/>; throws listing the known names.</summary>
    public LibraryEntry Get(string name) =>
        entries.TryGetValue(name, out var entry)
            ? entry
            : throw new KeyNotFoundException($"no template '{name}'; known: {string.Join(", ", entries.Keys.Order(StringComparer.Ordinal))}");

    /// <summary>Replaces a template's percentile table (after fitting).</summary>
    public void SetPercentiles(string name, PercentileTable percentiles) => entries[name] = Get(name) with { Percentiles = percentiles };

    /// <summary>Writes every template and its percentiles into <paramref name="directory"/> (atomic writes).</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var entry in Entries)
        {
            AtomicFile.WriteAllBytes(Path.Combine(directory, entry.Template.Name + ".yaml"), System.Text.Encoding.UTF8.GetBytes(entry.Yaml));
            entry.Percentiles?.Save(Path.Combine(directory, PercentileTable.FileNameFor(entry.Template.Name)));
        }
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"missing embedded template {name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
