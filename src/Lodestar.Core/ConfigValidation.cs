// The one way a config record checks itself: Validate() calls Require for each rule, and a broken rule throws
// an InvalidConfigException that names the record, the field and its value ("WorldConfig.Members = 5: must be
// at least 10"), so a user can find the line of the file to fix.
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Lodestar.Core;

public static class ConfigValidation
{
    /// <summary>
    /// Throws <see cref="InvalidConfigException"/> naming <typeparamref name="TRecord"/>, the field (the expression
    /// passed as <paramref name="value"/>) and its value unless <paramref name="condition"/> holds.
    /// </summary>
    /// <param name="rule">What the value must be, read after the value: "must be at least 1".</param>
    public static void Require<TRecord, TValue>(this TRecord record, bool condition, TValue value, string rule,
        [CallerArgumentExpression(nameof(value))] string field = "")
    {
        if (!condition)
        {
            throw new InvalidConfigException(typeof(TRecord).Name, field, Format(value), rule);
        }
    }

    private static string Format<TValue>(TValue value) => value switch
    {
        null => "null",
        string text => $"\"{text}\"",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(i => i is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : i?.ToString())) + "]",
        _ => value.ToString() ?? "",
    };
}

/// <summary>A config record broke one of its rules; the message names the record, the field and its value.</summary>
public sealed class InvalidConfigException(string record, string field, string value, string rule)
    : ArgumentException($"{record}.{field} = {value}: {rule}")
{
    public string Record { get; } = record;

    public string Field { get; } = field;

    public string Value { get; } = value;

    public string Rule { get; } = rule;
}
