// Reads a prompt template from YAML with line numbers kept, so every problem (unknown key, bad format,
// unknown source, forbidden attribute) is reported as "template X, line N, field 'f': ...".
using System.Globalization;
using System.Text.RegularExpressions;
using Lodestar.Text.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lodestar.Text.Prompts;

public static partial class TemplateYamlReader
{
    private static readonly string[] TemplateKeys = ["template", "kind", "budget", "fields", "history"];
    private static readonly string[] FieldKeys = ["name", "source", "format", "budget", "priority", "buckets"];
    private static readonly string[] HistoryKeys = ["mode", "max_items", "item_budget", "budget", "item_source", "priority"];

    /// <summary>Parses one template; <paramref name="origin"/> names it in errors (a path or "built-in:member.yaml").</summary>
    public static PromptTemplate Parse(string yaml, string origin, IReadOnlyList<string>? forbidden = null)
    {
        YamlStream stream;
        try
        {
            stream = YamlText.Load(yaml);
        }
        catch (YamlException ex)
        {
            throw new PromptTemplateException(origin, (int)ex.Start.Line, null, $"not valid YAML: {ex.Message}");
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new PromptTemplateException(origin, 1, null, "expected one YAML document holding a mapping");
        }
        CheckKeys(root, TemplateKeys, origin, null);
        var name = RequiredScalar(root, "template", origin, null);
        if (!FieldNamePattern().IsMatch(name))
        {
            throw new PromptTemplateException(origin, Line(root), null, $"template name '{name}' must be lower-case letters, digits and '_'");
        }
        var kind = ParseEnum<PromptKind>(root, "kind", origin, null);
        var budget = RequiredInt(root, "budget", origin, null, minimum: 8);
        var fields = new List<FieldSpec>();
        if (root.Children.TryGetValue(new YamlScalarNode("fields"), out var fieldsNode))
        {
            if (fieldsNode is not YamlSequenceNode sequence)
            {
                throw new PromptTemplateException(origin, Line(fieldsNode), null, "'fields' must be a list");
            }
            foreach (var item in sequence)
            {
                fields.Add(ParseField(item, kind, origin, forbidden));
            }
        }
        var duplicate = fields.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            var second = duplicate.Skip(1).First();
            throw new PromptTemplateException(origin, second.Line, second.Name, "field name is used twice");
        }
        HistorySpec? history = null;
        if (root.Children.TryGetValue(new YamlScalarNode("history"), out var historyNode))
        {
            history = ParseHistory(historyNode, kind, origin, forbidden);
        }
        if (kind == PromptKind.History && history is null)
        {
            throw new PromptTemplateException(origin, Line(root), null, "a history template needs a 'history' section");
        }
        if (fields.Count == 0 && history is null)
        {
            throw new PromptTemplateException(origin, Line(root), null, "the template has no fields");
        }
        return new PromptTemplate(name, kind, budget, fields, history, origin);
    }

    private static FieldSpec ParseField(YamlNode node, PromptKind kind, string origin, IReadOnlyList<string>? forbidden)
    {
        if (node is not YamlMappingNode field)
        {
            throw new PromptTemplateException(origin, Line(node), null, "each field must be a mapping with name, source and format");
        }
        var name = RequiredScalar(field, "name", origin, null);
        var line = Line(field);
        // Guard rail first: a forbidden attribute is rejected whatever else is wrong with the field.
        RejectForbidden(name, line, name, origin, forbidden);
        var source = RequiredScalar(field, "source", origin, name);
        RejectForbidden(source, Line(field.Children[new YamlScalarNode("source")]), name, origin, forbidden);
        CheckKeys(field, FieldKeys, origin, name);
        if (!FieldNamePattern().IsMatch(name))
        {
            throw new PromptTemplateException(origin, line, name, "field names must be lower-case letters, digits and '_' (they become <name> tokens)");
        }
        var format = ParseEnum<FieldFormat>(field, "format", origin, name);
        CheckSource(source, kind, format, Line(field.Children[new YamlScalarNode("source")]), name, origin);
        var budget = RequiredInt(field, "budget", origin, name, minimum: 3);
        var priority = OptionalInt(field, "priority", origin, name, fallback: 1, minimum: 1);
        var buckets = OptionalInt(field, "buckets", origin, name, fallback: 100, minimum: 2);
        if (buckets > 1000)
        {
            throw new PromptTemplateException(origin, line, name, $"buckets {buckets} must be at most 1000");
        }
        return new FieldSpec(name, source, format, budget, priority, line) { Buckets = buckets };
    }

    private static HistorySpec ParseHistory(YamlNode node, PromptKind kind, string origin, IReadOnlyList<string>? forbidden)
    {
        if (kind != PromptKind.History)
        {
            throw new PromptTemplateException(origin, Line(node), "history", "only templates of kind 'history' have a history section");
        }
        if (node is not YamlMappingNode history)
        {
            throw new PromptTemplateException(origin, Line(node), "history", "'history' must be a mapping");
        }
        CheckKeys(history, HistoryKeys, origin, "history");
        var itemSource = OptionalScalar(history, "item_source") ?? "post.text";
        RejectForbidden(itemSource, Line(history), "history", origin, forbidden);
        if (!PromptAttributes.All.TryGetValue(itemSource, out var type) || !itemSource.StartsWith("post.", StringComparison.Ordinal) || type != AttributeType.Text)
        {
            throw new PromptTemplateException(origin, Line(history), "history", $"item_source '{itemSource}' must be a post text attribute such as post.text");
        }
        var mode = history.Children.ContainsKey(new YamlScalarNode("mode")) ? ParseEnum<HistoryMode>(history, "mode", origin, "history") : HistoryMode.Positives;
        var maxItems = RequiredInt(history, "max_items", origin, "history", minimum: 1);
        var itemBudget = RequiredInt(history, "item_budget", origin, "history", minimum: 4);
        var budget = RequiredInt(history, "budget", origin, "history", minimum: 2 + itemBudget);
        var priority = OptionalInt(history, "priority", origin, "history", fallback: 1, minimum: 1);
        return new HistorySpec(mode, maxItems, itemBudget, budget, itemSource) { Priority = priority };
    }

    private static void RejectForbidden(string attribute, int line, string field, string origin, IReadOnlyList<string>? forbidden)
    {
        if (ForbiddenAttributes.FindIn(attribute, forbidden) is { } term)
        {
            throw new PromptTemplateException(origin, line, field, $"'{attribute}' is a forbidden attribute ('{term}' is on the list of protected attributes no model may read)");
        }
    }

    private static void CheckSource(string source, PromptKind kind, FieldFormat format, int line, string field, string origin)
    {
        if (!PromptAttributes.All.TryGetValue(source, out var type))
        {
            throw new PromptTemplateException(origin, line, field, $"unknown source '{source}'; known: {string.Join(", ", PromptAttributes.All.Keys.Where(k => PromptAttributes.PrefixesOf(kind).Any(p => k.StartsWith(p, StringComparison.Ordinal))))}");
        }
        if (!PromptAttributes.PrefixesOf(kind).Any(p => source.StartsWith(p, StringComparison.Ordinal)))
        {
            throw new PromptTemplateException(origin, line, field, $"a {kind.ToString().ToLowerInvariant()} template cannot read '{source}'");
        }
        if (!PromptAttributes.Allows(type, format))
        {
            throw new PromptTemplateException(origin, line, field, $"format '{format.ToString().ToLowerInvariant()}' does not fit '{source}', which is a {type.ToString().ToLowerInvariant()}");
        }
    }

    private static void CheckKeys(YamlMappingNode mapping, string[] allowed, string origin, string? field)
    {
        foreach (var key in mapping.Children.Keys)
        {
            if (key is not YamlScalarNode scalar || !allowed.Contains(scalar.Value, StringComparer.Ordinal))
            {
                throw new PromptTemplateException(origin, Line(key), field, $"unknown key '{key}'; expected one of {string.Join(", ", allowed)}");
            }
        }
    }

    private static T ParseEnum<T>(YamlMappingNode mapping, string key, string origin, string? field)
        where T : struct, Enum
    {
        var text = RequiredScalar(mapping, key, origin, field);
        if (!Enum.TryParse<T>(text, ignoreCase: true, out var value) || !Enum.IsDefined(value) || int.TryParse(text, out _))
        {
            var names = string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()));
            throw new PromptTemplateException(origin, Line(mapping.Children[new YamlScalarNode(key)]), field, $"{key} '{text}' is not one of {names}");
        }
        return value;
    }

    private static string RequiredScalar(YamlMappingNode mapping, string key, string origin, string? field)
    {
        if (!mapping.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            throw new PromptTemplateException(origin, Line(mapping), field, $"'{key}' is missing");
        }
        if (node is not YamlScalarNode scalar || string.IsNullOrWhiteSpace(scalar.Value))
        {
            throw new PromptTemplateException(origin, Line(node), field, $"'{key}' must be a non-empty value");
        }
        return scalar.Value.Trim();
    }

    private static string? OptionalScalar(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode scalar ? scalar.Value?.Trim() : null;

    private static int RequiredInt(YamlMappingNode mapping, string key, string origin, string? field, int minimum)
    {
        var text = RequiredScalar(mapping, key, origin, field);
        return ToInt(text, mapping.Children[new YamlScalarNode(key)], key, origin, field, minimum);
    }

    private static int OptionalInt(YamlMappingNode mapping, string key, string origin, string? field, int fallback, int minimum) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var node)
            ? ToInt((node as YamlScalarNode)?.Value ?? "", node, key, origin, field, minimum)
            : fallback;

    private static int ToInt(string text, YamlNode node, string key, string origin, string? field, int minimum)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < minimum)
        {
            throw new PromptTemplateException(origin, Line(node), field, $"{key} '{text}' must be an integer of at least {minimum}");
        }
        return value;
    }

    private static int Line(YamlNode node) => (int)node.Start.Line;

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex FieldNamePattern();
}
