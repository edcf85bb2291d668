// The member and job fields a policy may reference (`member.skills`, `job.seniority`), each bound to
// an accessor expression so compiled policies read fields directly, with no reflection per pair.
using System.Linq.Expressions;

namespace Lodestar.Policy.Expressions;

/// <summary>The four kinds of value an expression can produce.</summary>
public enum ValueKind
{
    Number,
    Bool,
    Text,
    TextList,
}

/// <summary>One field: its dotted name, kind, and accessor over the member or the job.</summary>
public sealed record PairField(string Name, ValueKind Kind, LambdaExpression Accessor, bool OnMember, string Description);

/// <summary>The fields of a pair type that policies may use; built once, read by every compile.</summary>
/// <param name="itemPrefix">How expressions name the second side of the pair: "job" or "post".</param>
public sealed class PairFieldCatalog<TMember, TJob>(string itemPrefix)
{
    private readonly Dictionary<string, PairField> _fields = new(StringComparer.Ordinal);

    public string ItemPrefix { get; } = itemPrefix;

    public IReadOnlyCollection<PairField> Fields => _fields.Values;

    public bool TryGet(string name, out PairField field) => _fields.TryGetValue(name, out field!);

    /// <summary>Adds <c>member.{name}</c>; numbers, enums (as their ordinal), bools, text and text lists are supported.</summary>
    public PairFieldCatalog<TMember, TJob> Member<T>(string name, Expression<Func<TMember, T>> accessor, string description) =>
        Add("member." + name, accessor, onMember: true, description);

    /// <summary>Adds <c>{itemPrefix}.{name}</c>, e.g. <c>job.title</c>.</summary>
    public PairFieldCatalog<TMember, TJob> Item<T>(string name, Expression<Func<TJob, T>> accessor, string description) =>
        Add(ItemPrefix + "." + name, accessor, onMember: false, description);

    private PairFieldCatalog<TMember, TJob> Add(string name, LambdaExpression accessor, bool onMember, string description)
    {
        var body = accessor.Body;
        ValueKind kind;
        var type = body.Type;
        if (type == typeof(bool))
        {
            kind = ValueKind.Bool;
        }
        else if (type == typeof(string))
        {
            kind = ValueKind.Text;
            body = Expression.Coalesce(body, Expression.Constant(string.Empty));
        }
        else if (typeof(IReadOnlyList<string>).IsAssignableFrom(type))
        {
            kind = ValueKind.TextList;
            body = Expression.Coalesce(Expression.Convert(body, typeof(IReadOnlyList<string>)), Expression.Constant(Array.Empty<string>(), typeof(IReadOnlyList<string>)));
        }
        else if (type.IsEnum || type == typeof(int) || type == typeof(long) || type == typeof(float) || type == typeof(double) || type == typeof(short) || type == typeof(byte))
        {
            kind = ValueKind.Number;
            body = type.IsEnum ? Expression.Convert(Expression.Convert(body, typeof(int)), typeof(double)) : Expression.Convert(body, typeof(double));
        }
        else
        {
            throw new ArgumentException($"field '{name}' has type {type.Name}, which policy expressions cannot use", nameof(accessor));
        }
        if (!_fields.TryAdd(name, new PairField(name, kind, Expression.Lambda(body, accessor.Parameters), onMember, description)))
        {
            throw new ArgumentException($"field '{name}' is registered twice", nameof(name));
        }
        return this;
    }
}
