// Reads a policy YAML file into a PolicyDocument, walking YamlDotNet's node tree so that every
// problem (syntax, unknown field, wrong type, missing field) is reported with its line and column.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Lodestar.Text.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lodestar.Policy;

/// <summary>Structural reading only; <see cref="PolicyValidator"/> checks meaning (weights, scales, expressions).</summary>
public sealed class PolicyYamlReader
{
    private static readonly string[] TopFields = ["policy", "version", "title", "kind", "summary", "forbidden_attributes", "dimensions", "overall"];
    private static readonly string[] DimensionFields = ["id", "name", "scale", "rubric", "check"];
    private static readonly string[] ScaleFields = ["min", "max", "levels"];
    private static readonly string[] CheckFields = ["value", "thresholds", "score"];
    private static readonly string[] OverallFields = ["scale", "weights", "gates"];
    private static readonly string[] GateFields = ["when", "cap", "reason"];

    private readonly string _file;
    private readonly string[] _lines;
    private readonly List<PolicyProblem> _problems = [];

    private PolicyYamlReader(string file, string text)
    {
        _file = file;
        _lines = text.Split('\n');
    }

    /// <summary>Parses <paramref name="text"/>; returns the document (null if unusable) and every structural problem.</summary>
    public static (PolicyDocument? Document, IReadOnlyList<PolicyProblem> Problems) Read(string file, string text)
    {
        var reader = new PolicyYamlReader(file, text);
        YamlStream stream;
        try
        {
            stream = YamlText.Load(text);
        }
        catch (YamlException ex)
        {
            reader.Problem(ex.Start, $"YAML syntax: {ex.InnerException?.Message ?? ex.Message}");
            return (null, reader._problems);
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            reader._problems.Add(new PolicyProblem(file, new SourceMark(1, 1), "a policy file holds exactly one YAML mapping (policy:, version:, dimensions:, ...)"));
            return (null, reader._problems);
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.Replace("\r\n", "\n", StringComparison.Ordinal))));
        var document = reader.ReadDocument(root, hash);
        return (document, reader._problems);
    }

    private PolicyDocument ReadDocument(YamlMappingNode root, string hash)
    {
        var fields = Fields(root, TopFields, "the policy");
        fields.TryGetValue("forbidden_attributes", out var forbidden);
        var dimensions = new List<PolicyDimension>();
        if (Required(root, fields, "dimensions", "the policy") is { } dimensionsNode)
        {
            if (dimensionsNode is YamlSequenceNode sequence)
            {
                foreach (var item in sequence)
                {
                    if (AsMapping(item, "a dimension") is { } mapping)
                    {
                        dimensions.Add(ReadDimension(mapping));
                    }
                }
            }
            else
            {
                Problem(dimensionsNode.Start, "'dimensions' must be a list of dimensions");
            }
        }
        var overall = Required(root, fields, "overall", "the policy") is { } overallNode && AsMapping(overallNode, "'overall'") is { } overallMapping
            ? ReadOverall(overallMapping)
            : new OverallRule(ScoreScale.Missing, new Dictionary<string, double>(), [], Mark(root.Start));
        return new PolicyDocument(
            Id: Text(root, fields, "policy", "the policy", required: true),
            Version: Text(root, fields, "version", "the policy", required: true),
            Title: Text(root, fields, "title", "the policy", required: true),
            Kind: Text(root, fields, "kind", "the policy", required: true),
            Summary: Text(root, fields, "summary", "the policy", required: false),
            ForbiddenAttributes: forbidden is not null ? TextList(forbidden, "'forbidden_attributes'") : Missing<string>(root, "forbidden_attributes", "the policy"),
            Dimensions: dimensions,
            Overall: overall,
            SourceName: _file,
            ContentHash: hash,
            ForbiddenAttributesMark: forbidden is null ? Mark(root.Start) : Mark(forbidden.Start));
    }

    private PolicyDimension ReadDimension(YamlMappingNode node)
    {
        var id = node.Children.TryGetValue(new YamlScalarNode("id"), out var idNode) && idNode is YamlScalarNode s ? s.Value ?? "?" : "?";
        var where = $"dimension '{id}'";
        var fields = Fields(node, DimensionFields, where);
        var scale = Required(node, fields, "scale", where) is { } scaleNode ? ReadScale(scaleNode, $"the scale of {where}") : ScoreScale.Missing;
        var check = Required(node, fields, "check", where) is { } checkNode ? ReadCheck(checkNode, where) : DimensionCheck.Missing;
        var name = Text(node, fields, "name", where, required: true);
        var rubric = Text(node, fields, "rubric", where, required: true);
        Text(node, fields, "id", where, required: true);
        return new PolicyDimension(id, name, scale ?? ScoreScale.Missing, rubric, check ?? DimensionCheck.Missing, Mark(node.Start));
    }

    private ScoreScale? ReadScale(YamlNode node, string where)
    {
        if (AsMapping(node, where) is not { } mapping)
        {
            return null;
        }
        var fields = Fields(mapping, ScaleFields, where);
        var min = Required(mapping, fields, "min", where) is { } minNode ? Integer(minNode, $"'min' of {where}") : null;
        var max = Required(mapping, fields, "max", where) is { } maxNode ? Integer(maxNode, $"'max' of {where}") : null;
        var levels = new Dictionary<int, string>();
        if (Required(mapping, fields, "levels", where) is { } levelsNode && AsMapping(levelsNode, $"'levels' of {where}") is { } levelsMapping)
        {
            foreach (var (key, value) in levelsMapping.Children)
            {
                if (Integer(key, $"a level of {where}") is { } level && AsScalar(value, $"level {level} of {where}") is { } text)
                {
                    levels[level] = text;
                }
            }
        }
        return min is null || max is null ? null : new ScoreScale(min.Value, max.Value, levels);
    }

    private DimensionCheck? ReadCheck(YamlNode node, string where)
    {
        if (AsMapping(node, $"the check of {where}") is not { } mapping)
        {
            return null;
        }
        var fields = Fields(mapping, CheckFields, $"the check of {where}");
        var thresholds = new List<double>();
        if (fields.TryGetValue("thresholds", out var thresholdsNode))
        {
            if (thresholdsNode is YamlSequenceNode sequence)
            {
                foreach (var item in sequence)
                {
                    if (Number(item, $"a threshold of {where}") is { } t)
                    {
                        thresholds.Add(t);
                    }
                }
            }
            else
            {
                Problem(thresholdsNode.Start, $"'thresholds' of {where} must be a list of numbers");
            }
        }
        return new DimensionCheck(Expression(fields, "value", where), thresholds, Expression(fields, "score", where));
    }

    private OverallRule ReadOverall(YamlMappingNode node)
    {
        var fields = Fields(node, OverallFields, "'overall'");
        var scale = Required(node, fields, "scale", "'overall'") is { } scaleNode ? ReadScale(scaleNode, "the overall scale") : null;
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        var weightsMark = Mark(node.Start);
        if (Required(node, fields, "weights", "'overall'") is { } weightsNode && AsMapping(weightsNode, "'weights'") is { } weightsMapping)
        {
            weightsMark = Mark(weightsMapping.Start);
            foreach (var (key, value) in weightsMapping.Children)
            {
                if (AsScalar(key, "a weight's dimension id") is { } id && Number(value, $"the weight of '{id}'") is { } weight)
                {
                    weights[id] = weight;
                }
            }
        }
        var gates = new List<PolicyGate>();
        if (fields.TryGetValue("gates", out var gatesNode))
        {
            if (gatesNode is YamlSequenceNode sequence)
            {
                foreach (var item in sequence)
                {
                    if (AsMapping(item, "a gate") is not { } gate)
                    {
                        continue;
                    }
                    var gateFields = Fields(gate, GateFields, "a gate");
                    var when = Expression(gateFields, "when", "a gate");
                    var cap = Required(gate, gateFields, "cap", "a gate") is { } capNode ? Number(capNode, "the cap of a gate") : null;
                    var reason = Text(gate, gateFields, "reason", "a gate", required: true);
                    if (when is null)
                    {
                        Problem(gate.Start, "a gate has no 'when' condition");
                    }
                    else if (cap is not null)
                    {
                        gates.Add(new PolicyGate(when, cap.Value, reason, Mark(gate.Start)));
                    }
                }
            }
            else
            {
                Problem(gatesNode.Start, "'gates' must be a list of {when, cap, reason}");
            }
        }
        return new OverallRule(scale ?? ScoreScale.Missing, weights, gates, weightsMark);
    }

    private Dictionary<string, YamlNode> Fields(YamlMappingNode node, string[] allowed, string where)
    {
        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (key, value) in node.Children)
        {
            if (key is not YamlScalarNode { Value: { } name })
            {
                Problem(key.Start, $"field names in {where} must be plain words");
                continue;
            }
            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                Problem(key.Start, $"unknown field '{name}' in {where} (allowed: {string.Join(", ", allowed)})");
                continue;
            }
            fields[name] = value;
        }
        return fields;
    }

    private YamlNode? Required(YamlMappingNode node, Dictionary<string, YamlNode> fields, string name, string where)
    {
        if (fields.TryGetValue(name, out var value))
        {
            return value;
        }
        Problem(node.Start, $"{where} is missing the required field '{name}'");
        return null;
    }

    private List<T> Missing<T>(YamlMappingNode node, string name, string where)
    {
        Problem(node.Start, $"{where} is missing the required field '{name}'");
        return [];
    }

    private string Text(YamlMappingNode node, Dictionary<string, YamlNode> fields, string name, string where, bool required)
    {
        if (!fields.TryGetValue(name, out var value))
        {
            if (required)
            {
                Problem(node.Start, $"{where} is missing the required field '{name}'");
            }
            return "";
        }
        var text = AsScalar(value, $"'{name}' of {where}") ?? "";
        if (required && string.IsNullOrWhiteSpace(text))
        {
            Problem(value.Start, $"'{name}' of {where} is empty");
        }
        return text;
    }

    private List<string> TextList(YamlNode node, string where)
    {
        if (node is not YamlSequenceNode sequence)
        {
            Problem(node.Start, $"{where} must be a list");
            return [];
        }
        return sequence.Select(item => AsScalar(item, $"an item of {where}")).OfType<string>().ToList();
    }

    private PolicyExpression? Expression(Dictionary<string, YamlNode> fields, string name, string where)
    {
        if (!fields.TryGetValue(name, out var node))
        {
            return null;
        }
        if (node is not YamlScalarNode scalar || scalar.Value is null)
        {
            Problem(node.Start, $"'{name}' of {where} must be an expression written as text");
            return null;
        }
        return new PolicyExpression(scalar.Value, Mark(scalar.Start), CharacterMarks(scalar));
    }

    /// <summary>The file position of every character of a scalar's value, found by matching it against the source lines.</summary>
    private List<SourceMark> CharacterMarks(YamlScalarNode scalar)
    {
        var marks = new List<SourceMark>();
        var value = scalar.Value!;
        var line = (int)scalar.Start.Line - 1;
        var column = (int)scalar.Start.Column - 1;
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted)
        {
            column++;
        }
        var block = scalar.Style is ScalarStyle.Literal or ScalarStyle.Folded;
        var indent = 0;
        if (block)
        {
            line++;
            while (line < _lines.Length && _lines[line].Trim().Length == 0)
            {
                line++;
            }
            indent = line < _lines.Length ? _lines[line].Length - _lines[line].TrimStart().Length : 0;
            column = indent;
        }
        foreach (var c in value)
        {
            if (line >= _lines.Length)
            {
                break;
            }
            var source = _lines[line];
            if (c == '\n' || column >= source.TrimEnd().Length)
            {
                marks.Add(new SourceMark(line + 1, column + 1));
                line++;
                column = block ? indent : 0;
                continue;
            }
            marks.Add(new SourceMark(line + 1, column + 1));
            column++;
        }
        return marks;
    }

    private YamlMappingNode? AsMapping(YamlNode node, string what)
    {
        if (node is YamlMappingNode mapping)
        {
            return mapping;
        }
        Problem(node.Start, $"{what} must be a mapping of fields");
        return null;
    }

    private string? AsScalar(YamlNode node, string what)
    {
        if (node is YamlScalarNode scalar)
        {
            return scalar.Value ?? "";
        }
        Problem(node.Start, $"{what} must be a single value, not a list or mapping");
        return null;
    }

    private int? Integer(YamlNode node, string what) =>
        Parsed(node, what, "a whole number", (string text, out int value) => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value));

    private double? Number(YamlNode node, string what) =>
        Parsed(node, what, "a number", (string text, out double value) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value));

    private delegate bool TryParse<T>(string text, out T value);

    private T? Parsed<T>(YamlNode node, string what, string expected, TryParse<T> parse)
        where T : struct
    {
        var text = AsScalar(node, what);
        if (text is null)
        {
            return null;
        }
        if (parse(text, out var value))
        {
            return value;
        }
        Problem(node.Start, $"{what} must be {expected}, not '{text}'");
        return null;
    }

    private void Problem(Mark mark, string message) => _problems.Add(new PolicyProblem(_file, Mark(mark), message));

    private static SourceMark Mark(Mark mark) => new((int)mark.Line, (int)mark.Column);
}
