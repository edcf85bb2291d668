// A policy compiled for one pair kind: the embedded scorer. Scoring a pair runs one compiled delegate
// per dimension, a threshold count, the weighted mean and the gates; deterministic and allocation-light.
using Lodestar.Policy.Expressions;

namespace Lodestar.Policy;

/// <summary>Per-dimension scores (in document order) and the overall score of one pair under one policy.</summary>
public sealed record PolicyLabel(int[] Scores, double Overall);

public sealed class CompiledPolicy<TMember, TItem>
{
    private readonly Func<TMember, TItem, double[], double>[] _checks;
    private readonly double[][] _thresholds;
    private readonly Func<TMember, TItem, double[], bool>[] _gates;
    private readonly double[] _weights;

    [ThreadStatic]
    private static double[]? t_scratch;

    private CompiledPolicy(PolicyDocument document, Func<TMember, TItem, double[], double>[] checks, Func<TMember, TItem, double[], bool>[] gates)
    {
        Document = document;
        _checks = checks;
        _gates = gates;
        _thresholds = document.Dimensions.Select(d => d.Check.Value is null ? [] : d.Check.Thresholds.ToArray()).ToArray();
        _weights = document.Dimensions.Select(d => document.Overall.Weights[d.Id]).ToArray();
    }

    public PolicyDocument Document { get; }

    public int DimensionCount => _checks.Length;

    /// <summary>Compiles every expression; throws <see cref="PolicyException"/> listing every problem with its line and column.</summary>
    public static CompiledPolicy<TMember, TItem> Compile(PolicyDocument document, PairFieldCatalog<TMember, TItem> catalog)
    {
        var problems = new List<PolicyProblem>();
        var fields = new ExprCompiler<TMember, TItem>(catalog, document.ForbiddenAttributes);
        var checks = new Func<TMember, TItem, double[], double>[document.Dimensions.Count];
        for (var i = 0; i < checks.Length; i++)
        {
            var check = document.Dimensions[i].Check;
            if ((check.Value ?? check.Score) is not { } expression)
            {
                checks[i] = (_, _, _) => 0;
                continue;
            }
            checks[i] = Try(expression, problems, document, e => fields.CompileNumber(e)) ?? ((_, _, _) => 0);
        }
        // A dimension defined twice is the validator's problem to report; the gates see its first definition.
        var scoreNames = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (dimension, i) in document.Dimensions.Select((d, i) => (d, i)))
        {
            scoreNames.TryAdd(dimension.Id, i);
        }
        var gateCompiler = new ExprCompiler<TMember, TItem>(new PairFieldCatalog<TMember, TItem>(catalog.ItemPrefix), document.ForbiddenAttributes, scoreNames);
        var gates = document.Overall.Gates
            .Select(g => Try(g.When, problems, document, e => gateCompiler.CompileBool(e)) ?? ((_, _, _) => false))
            .ToArray();
        if (problems.Count > 0)
        {
            throw new PolicyException(problems);
        }
        return new CompiledPolicy<TMember, TItem>(document, checks, gates);
    }

    /// <summary>Scores one pair into <paramref name="scores"/> (length = dimensions) and returns the overall score.</summary>
    public double Score(TMember member, TItem item, Span<int> scores)
    {
        var scratch = t_scratch is { } s && s.Length == _checks.Length ? s : t_scratch = new double[_checks.Length];
        for (var d = 0; d < _checks.Length; d++)
        {
            var value = _checks[d](member, item, scratch);
            var scale = Document.Dimensions[d].Scale;
            var thresholds = _thresholds[d];
            int score;
            if (thresholds.Length == 0)
            {
                score = double.IsNaN(value) ? scale.Min : scale.Clamp(value);
            }
            else
            {
                score = scale.Min;
                while (score - scale.Min < thresholds.Length && value >= thresholds[score - scale.Min])
                {
                    score++;
                }
            }
            scores[d] = score;
            scratch[d] = score;
        }
        return Overall(scratch, member, item);
    }

    public PolicyLabel Score(TMember member, TItem item)
    {
        var scores = new int[_checks.Length];
        var overall = Score(member, item, scores);
        return new PolicyLabel(scores, overall);
    }

    /// <summary>The overall score of given dimension scores (e.g. a person's), by this policy's weights and gates.</summary>
    public double Overall(ReadOnlySpan<double> scores)
    {
        var copy = scores.ToArray();
        return Overall(copy, default!, default!);
    }

    private double Overall(double[] scores, TMember member, TItem item)
    {
        var overallScale = Document.Overall.Scale;
        var mean = 0.0;
        for (var d = 0; d < _weights.Length; d++)
        {
            var scale = Document.Dimensions[d].Scale;
            mean += _weights[d] * (scores[d] - scale.Min) / (scale.Max - scale.Min);
        }
        var overall = overallScale.Min + mean * (overallScale.Max - overallScale.Min);
        for (var g = 0; g < _gates.Length; g++)
        {
            if (_gates[g](member, item, scores))
            {
                overall = Math.Min(overall, Document.Overall.Gates[g].Cap);
            }
        }
        return overall;
    }

    private static T? Try<T>(PolicyExpression expression, List<PolicyProblem> problems, PolicyDocument document, Func<ExprNode, T> compile)
        where T : class
    {
        try
        {
            return compile(ExprParser.Parse(expression.Text));
        }
        catch (ExprException ex)
        {
            problems.Add(new PolicyProblem(document.SourceName, expression.MarkOf(ex.Offset), ex.Message));
            return null;
        }
    }
}
