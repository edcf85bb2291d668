// Type-checks a policy expression against the field catalog and compiles it to a delegate over
// (member, job, dimension scores) with System.Linq.Expressions, so scoring a pair costs a few calls.
using System.Linq.Expressions;
using System.Reflection;

namespace Lodestar.Policy.Expressions;

/// <summary>
/// Compiles expressions for one policy. Names resolve to catalog fields (<c>member.x</c>, <c>job.y</c>) or,
/// in gates, to dimension scores by id. A name that mentions a forbidden attribute is rejected before
/// it is looked up, so the message says why rather than "unknown field".
/// </summary>
public sealed class ExprCompiler<TMember, TJob>
{
    private static readonly Dictionary<string, (ValueKind[] Parameters, ValueKind Result, string Method)[]> Functions = new(StringComparer.Ordinal)
    {
        ["overlap"] = [([ValueKind.TextList, ValueKind.TextList], ValueKind.Number, nameof(PolicyFunctions.Overlap))],
        ["missing"] = [([ValueKind.TextList, ValueKind.TextList], ValueKind.Number, nameof(PolicyFunctions.Missing))],
        ["jaccard"] = [([ValueKind.TextList, ValueKind.TextList], ValueKind.Number, nameof(PolicyFunctions.Jaccard))],
        ["count"] = [([ValueKind.TextList], ValueKind.Number, nameof(PolicyFunctions.Count))],
        ["contains"] =
        [
            ([ValueKind.TextList, ValueKind.Text], ValueKind.Bool, nameof(PolicyFunctions.Contains)),
            ([ValueKind.Text, ValueKind.Text], ValueKind.Bool, nameof(PolicyFunctions.ContainsText)),
        ],
        ["word_overlap"] = [([ValueKind.Text, ValueKind.Text], ValueKind.Number, nameof(PolicyFunctions.WordOverlap))],
        ["clamp"] = [([ValueKind.Number, ValueKind.Number, ValueKind.Number], ValueKind.Number, nameof(PolicyFunctions.Clamp))],
        ["abs"] = [([ValueKind.Number], ValueKind.Number, "")],
        ["min"] = [([ValueKind.Number, ValueKind.Number], ValueKind.Number, "")],
        ["max"] = [([ValueKind.Number, ValueKind.Number], ValueKind.Number, "")],
        ["if"] = [([ValueKind.Bool, ValueKind.Number, ValueKind.Number], ValueKind.Number, "")],
        ["num"] = [([ValueKind.Bool], ValueKind.Number, "")],
    };

    private readonly PairFieldCatalog<TMember, TJob> _catalog;
    private readonly IReadOnlyList<string> _forbidden;
    private readonly IReadOnlyDictionary<string, int> _scoreNames;
    private readonly ParameterExpression _member = Expression.Parameter(typeof(TMember), "member");
    private readonly ParameterExpression _job = Expression.Parameter(typeof(TJob), "job");
    private readonly ParameterExpression _scores = Expression.Parameter(typeof(double[]), "scores");

    /// <param name="forbidden">Attribute names (e.g. "marital status") no expression may reference.</param>
    /// <param name="scoreNames">Dimension ids visible as numbers (gates only), mapped to their index in the scores array.</param>
    public ExprCompiler(PairFieldCatalog<TMember, TJob> catalog, IReadOnlyList<string> forbidden, IReadOnlyDictionary<string, int>? scoreNames = null)
    {
        _catalog = catalog;
        _forbidden = forbidden;
        _scoreNames = scoreNames ?? new Dictionary<string, int>();
    }

    /// <summary>The names of all functions, for help text and error messages.</summary>
    public static IEnumerable<string> FunctionNames => Functions.Keys;

    /// <summary>Type-checks an expression and returns the kind of value it produces; throws <see cref="ExprException"/>.</summary>
    public ValueKind Check(ExprNode node) => Build(node).Kind;

    public Func<TMember, TJob, double[], double> CompileNumber(ExprNode node)
    {
        var (body, kind) = Build(node);
        if (kind != ValueKind.Number)
        {
            throw new ExprException(node.Offset, $"the expression gives a {Describe(kind)}, but a number is needed here");
        }
        return Expression.Lambda<Func<TMember, TJob, double[], double>>(body, _member, _job, _scores).Compile();
    }

    public Func<TMember, TJob, double[], bool> CompileBool(ExprNode node)
    {
        var (body, kind) = Build(node);
        if (kind != ValueKind.Bool)
        {
            throw new ExprException(node.Offset, $"the expression gives a {Describe(kind)}, but a condition (true/false) is needed here");
        }
        return Expression.Lambda<Func<TMember, TJob, double[], bool>>(body, _member, _job, _scores).Compile();
    }

    /// <summary>The attribute from the forbidden list that a dotted name mentions, or null (matched word by word, see <see cref="Text.ForbiddenAttributes.FindIn"/>).</summary>
    public string? ForbiddenAttributeIn(string name) => Text.ForbiddenAttributes.FindIn(name, _forbidden);

    private (Expression Body, ValueKind Kind) Build(ExprNode node) => node switch
    {
        NumberLiteral n => (Expression.Constant(n.Value), ValueKind.Number),
        TextLiteral t => (Expression.Constant(t.Value), ValueKind.Text),
        BoolLiteral b => (Expression.Constant(b.Value), ValueKind.Bool),
        NameRef r => BuildName(r),
        Unary u => BuildUnary(u),
        Binary b => BuildBinary(b),
        Call c => BuildCall(c),
        _ => throw new ExprException(node.Offset, "unsupported expression"),
    };

    private (Expression, ValueKind) BuildName(NameRef r)
    {
        var forbidden = ForbiddenAttributeIn(r.Name);
        if (forbidden is not null)
        {
            throw new ExprException(r.Offset, $"'{r.Name}' uses the forbidden attribute '{forbidden}': no labeler, prompt or model input may use it");
        }
        if (_scoreNames.TryGetValue(r.Name, out var index))
        {
            return (Expression.ArrayIndex(_scores, Expression.Constant(index)), ValueKind.Number);
        }
        if (_catalog.TryGet(r.Name, out var field))
        {
            var parameter = field.OnMember ? _member : _job;
            return (new ReplaceParameter(field.Accessor.Parameters[0], parameter).Visit(field.Accessor.Body), field.Kind);
        }
        var known = _scoreNames.Keys.Concat(_catalog.Fields.Select(f => f.Name)).Order(StringComparer.Ordinal);
        throw new ExprException(r.Offset, $"unknown field '{r.Name}' (known: {string.Join(", ", known)})");
    }

    private (Expression, ValueKind) BuildUnary(Unary u)
    {
        var (operand, kind) = Build(u.Operand);
        if (u.Operator == "not")
        {
            Require(u.Operand, kind, ValueKind.Bool, "'not'");
            return (Expression.Not(operand), ValueKind.Bool);
        }
        Require(u.Operand, kind, ValueKind.Number, "'-'");
        return (Expression.Negate(operand), ValueKind.Number);
    }

    private (Expression, ValueKind) BuildBinary(Binary b)
    {
        var (left, leftKind) = Build(b.Left);
        var (right, rightKind) = Build(b.Right);
        switch (b.Operator)
        {
            case "and" or "or":
                Require(b.Left, leftKind, ValueKind.Bool, $"'{b.Operator}'");
                Require(b.Right, rightKind, ValueKind.Bool, $"'{b.Operator}'");
                return (b.Operator == "and" ? Expression.AndAlso(left, right) : Expression.OrElse(left, right), ValueKind.Bool);
            case "+" or "-" or "*" or "/":
                return (NumericBinary(b, leftKind, rightKind, left, right), ValueKind.Number);
            case "==" or "!=":
                if (leftKind != rightKind || leftKind == ValueKind.TextList)
                {
                    throw new ExprException(b.Offset, $"'{b.Operator}' compares a {Describe(leftKind)} with a {Describe(rightKind)}");
                }
                Expression equal = leftKind == ValueKind.Text
                    ? Expression.Call(Method(nameof(PolicyFunctions.TextEquals)), left, right)
                    : Expression.Equal(left, right);
                return (b.Operator == "==" ? equal : Expression.Not(equal), ValueKind.Bool);
            default:
                return (NumericBinary(b, leftKind, rightKind, left, right), ValueKind.Bool);
        }
    }

    private static readonly Dictionary<string, ExpressionType> NumericOperators = new(StringComparer.Ordinal)
    {
        ["+"] = ExpressionType.Add,
        ["-"] = ExpressionType.Subtract,
        ["*"] = ExpressionType.Multiply,
        ["/"] = ExpressionType.Divide,
        ["<"] = ExpressionType.LessThan,
        ["<="] = ExpressionType.LessThanOrEqual,
        [">"] = ExpressionType.GreaterThan,
        [">="] = ExpressionType.GreaterThanOrEqual,
    };

    private static BinaryExpression NumericBinary(Binary b, ValueKind leftKind, ValueKind rightKind, Expression left, Expression right)
    {
        Require(b.Left, leftKind, ValueKind.Number, $"'{b.Operator}'");
        Require(b.Right, rightKind, ValueKind.Number, $"'{b.Operator}'");
        return Expression.MakeBinary(NumericOperators[b.Operator], left, right);
    }

    private (Expression, ValueKind) BuildCall(Call c)
    {
        if (!Functions.TryGetValue(c.Function, out var overloads))
        {
            throw new ExprException(c.Offset, $"unknown function '{c.Function}' (known: {string.Join(", ", Functions.Keys.Order(StringComparer.Ordinal))})");
        }
        var args = c.Arguments.Select(Build).ToArray();
        foreach (var (parameters, result, method) in overloads)
        {
            if (parameters.Length != args.Length || !parameters.Zip(args).All(p => p.First == p.Second.Kind))
            {
                continue;
            }
            var bodies = args.Select(a => a.Body).ToArray();
            Expression body = c.Function switch
            {
                "abs" => Expression.Call(typeof(Math).GetMethod(nameof(Math.Abs), [typeof(double)])!, bodies),
                "min" => Expression.Call(typeof(Math).GetMethod(nameof(Math.Min), [typeof(double), typeof(double)])!, bodies),
                "max" => Expression.Call(typeof(Math).GetMethod(nameof(Math.Max), [typeof(double), typeof(double)])!, bodies),
                "if" => Expression.Condition(bodies[0], bodies[1], bodies[2]),
                "num" => Expression.Condition(bodies[0], Expression.Constant(1.0), Expression.Constant(0.0)),
                _ => Expression.Call(Method(method), bodies),
            };
            return (body, result);
        }
        var wanted = string.Join(" or ", overloads.Select(o => $"{c.Function}({string.Join(", ", o.Parameters.Select(Describe))})"));
        var got = string.Join(", ", args.Select(a => Describe(a.Kind)));
        throw new ExprException(c.Offset, $"{wanted} was called with ({got})");
    }

    private static MethodInfo Method(string name) => typeof(PolicyFunctions).GetMethod(name, BindingFlags.Public | BindingFlags.Static)!;

    private static void Require(ExprNode node, ValueKind actual, ValueKind wanted, string context)
    {
        if (actual != wanted)
        {
            throw new ExprException(node.Offset, $"{context} needs a {Describe(wanted)} but got a {Describe(actual)}");
        }
    }

    public static string Describe(ValueKind kind) => kind switch
    {
        ValueKind.Number => "number",
        ValueKind.Bool => "condition",
        ValueKind.Text => "text",
        _ => "list of text",
    };

    private sealed class ReplaceParameter(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}
