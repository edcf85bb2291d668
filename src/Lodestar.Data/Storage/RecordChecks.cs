// System.Text.Json fills a record's constructor parameter that the JSON leaves out (or sets to null) with null, even
// when the record declares it non-nullable, and reads a number too large for a float (1e39) as infinity; either way the
// reader's caller fails later (a null no file names, a record that cannot be written back). This walks a deserialised
// record by its JSON contract and finds the first such field: a constructor parameter of reference type, neither
// nullable nor defaulted, that holds null (a JsonElement: absent or null), or a float or double that is not finite, in
// the record, in records nested in it, or in lists of them.
using System.Collections;
using System.Text.Json.Serialization.Metadata;

namespace Lodestar.Data.Storage;

/// <summary>A field a reader refuses: its JSON path ($.skills, $.education[1].school) and what is wrong with it ("is
/// missing or null", "is not a finite number").</summary>
public sealed record FieldProblem(string Path, string Problem)
{
    /// <summary>The refusal a file reader throws for this field, naming the file and line.</summary>
    public DataFormatException In(string file, long line) => new(file, line, Path, $"the field {Problem}");
}

public static class RecordChecks
{
    public const string Missing = "is missing or null";

    public const string NotFinite = "is not a finite number";

    /// <summary>The first field of <paramref name="record"/> that is missing, null or not finite where its contract needs
    /// a value, or null when there is none.</summary>
    public static FieldProblem? FirstProblem(object record, JsonTypeInfo contract) => Walk(record, contract, "$", depth: 0);

    private static FieldProblem? Walk(object value, JsonTypeInfo contract, string path, int depth)
    {
        if (depth > 16)
        {
            return null;
        }
        if (contract.Kind == JsonTypeInfoKind.Enumerable && value is IEnumerable items and not string && contract.ElementType is { } elementType)
        {
            if (IsFloatingPoint(elementType))
            {
                var at = 0;
                foreach (var item in items)
                {
                    if (!IsFinite(item))
                    {
                        return new FieldProblem($"{path}[{at}]", NotFinite);
                    }
                    at++;
                }
                return null;
            }
            if (elementType.IsValueType)
            {
                return null;
            }
            var element = contract.Options.GetTypeInfo(elementType);
            var index = 0;
            foreach (var item in items)
            {
                var at = $"{path}[{index++}]";
                if (item is null)
                {
                    return new FieldProblem(at, Missing);
                }
                if (Walk(item, element, at, depth + 1) is { } problem)
                {
                    return problem;
                }
            }
            return null;
        }
        if (contract.Kind != JsonTypeInfoKind.Object)
        {
            return null;
        }
        foreach (var property in contract.Properties)
        {
            if (property.Get is null)
            {
                continue;
            }
            if (IsFloatingPoint(property.PropertyType))
            {
                if (!IsFinite(property.Get(value)))
                {
                    return new FieldProblem($"{path}.{property.Name}", NotFinite);
                }
                continue;
            }
            if (property.PropertyType == typeof(System.Text.Json.JsonElement))
            {
                // A JSON value the record keeps as it is: absent, it is an undefined element, not a null.
                if (property.Get(value) is System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Undefined or System.Text.Json.JsonValueKind.Null }
                    && property.AssociatedParameter is { HasDefaultValue: false })
                {
                    return new FieldProblem($"{path}.{property.Name}", Missing);
                }
                continue;
            }
            if (property.PropertyType.IsValueType)
            {
                continue;
            }
            var field = property.Get(value);
            if (field is null)
            {
                if (property.AssociatedParameter is { HasDefaultValue: false, IsNullable: false })
                {
                    return new FieldProblem($"{path}.{property.Name}", Missing);
                }
                continue;
            }
            if (property.PropertyType != typeof(string) && Walk(field, contract.Options.GetTypeInfo(property.PropertyType), $"{path}.{property.Name}", depth + 1) is { } problem)
            {
                return problem;
            }
        }
        return null;
    }

    private static bool IsFloatingPoint(Type type) => (Nullable.GetUnderlyingType(type) ?? type) is var t && (t == typeof(float) || t == typeof(double));

    private static bool IsFinite(object? number) => number switch
    {
        float f => float.IsFinite(f),
        double d => double.IsFinite(d),
        _ => true,
    };
}
