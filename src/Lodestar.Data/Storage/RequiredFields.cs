// System.Text.Json fills a record's constructor parameter that the JSON leaves out (or sets to null) with null, even
// when the record declares it non-nullable, and the reader's caller fails later on a null no file names. This walks a
// deserialised record by its JSON contract and finds the first such field: a constructor parameter of reference type,
// neither nullable nor defaulted, that holds null, in the record, in records nested in it, or in lists of them.
using System.Collections;
using System.Text.Json.Serialization.Metadata;

namespace Lodestar.Data.Storage;

public static class RequiredFields
{
    /// <summary>The JSON path of the first required field that is missing or null ($.skills, $.education[1].school), or null when none is.</summary>
    public static string? FirstMissing(object record, JsonTypeInfo contract) => Walk(record, contract, "$", depth: 0);

    private static string? Walk(object value, JsonTypeInfo contract, string path, int depth)
    {
        if (depth > 16)
        {
            return null;
        }
        if (contract.Kind == JsonTypeInfoKind.Enumerable && value is IEnumerable items and not string && contract.ElementType is { IsValueType: false } elementType)
        {
            var element = contract.Options.GetTypeInfo(elementType);
            var index = 0;
            foreach (var item in items)
            {
                var at = $"{path}[{index++}]";
                if (item is null)
                {
                    return at;
                }
                if (Walk(item, element, at, depth + 1) is { } missing)
                {
                    return missing;
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
            if (property.PropertyType.IsValueType || property.Get is null)
            {
                continue;
            }
            var field = property.Get(value);
            if (field is null)
            {
                if (property.AssociatedParameter is { HasDefaultValue: false, IsNullable: false })
                {
                    return $"{path}.{property.Name}";
                }
                continue;
            }
            if (property.PropertyType != typeof(string) && Walk(field, contract.Options.GetTypeInfo(property.PropertyType), $"{path}.{property.Name}", depth + 1) is { } missing)
            {
                return missing;
            }
        }
        return null;
    }
}
