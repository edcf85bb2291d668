// One whole number per transformer block (the heads or MLP width a structurally pruned block kept), with value
// equality so the config records holding it compare by content, and a plain JSON array on disk.
using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lodestar.Nn;

[JsonConverter(typeof(LayerWidthsJsonConverter))]
public sealed class LayerWidths(IEnumerable<int> widths) : IReadOnlyList<int>, IEquatable<LayerWidths>
{
    private readonly int[] _widths = [.. widths];

    public int Count => _widths.Length;

    public int this[int index] => _widths[index];

    public bool Equals(LayerWidths? other) => other is not null && _widths.AsSpan().SequenceEqual(other._widths);

    public override bool Equals(object? obj) => Equals(obj as LayerWidths);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var width in _widths)
        {
            hash.Add(width);
        }
        return hash.ToHashCode();
    }

    public override string ToString() => "[" + string.Join(", ", _widths) + "]";

    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)_widths).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

public sealed class LayerWidthsJsonConverter : JsonConverter<LayerWidths>
{
    public override LayerWidths Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(JsonSerializer.Deserialize<int[]>(ref reader, options) ?? throw new JsonException("a list of layer widths must be an array of whole numbers"));

    public override void Write(Utf8JsonWriter writer, LayerWidths value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var width in value)
        {
            writer.WriteNumberValue(width);
        }
        writer.WriteEndArray();
    }
}
