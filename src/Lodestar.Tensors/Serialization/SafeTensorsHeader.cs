// Parses and validates a safetensors JSON header against the byte buffer that follows it, with the
// checks of Hugging Face's reader (safetensors/src/tensor.rs: Metadata::validate) plus a few stricter ones.
using System.Text.Json;
using System.Text.Unicode;

namespace Lodestar.Tensors.Serialization;

internal static class SafeTensorsHeader
{
    internal const string MetadataKey = "__metadata__";

    /// <summary>Validates <paramref name="header"/> (the N header bytes) for a buffer of <paramref name="bufferLength"/> bytes.</summary>
    internal static (List<SafeTensorsEntry> Entries, Dictionary<string, string> Metadata) Parse(
        ReadOnlySpan<byte> header, long bufferLength, string source)
    {
        if (!Utf8.IsValid(header))
        {
            throw new SafeTensorsException(SafeTensorsError.HeaderNotUtf8, source, null, "header is not valid UTF-8");
        }
        if (header.Length == 0 || header[0] != (byte)'{')
        {
            throw new SafeTensorsException(SafeTensorsError.HeaderNotJson, source, null, "header does not start with '{'");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new SafeTensorsException(SafeTensorsError.HeaderNotJson, source, null, $"header is not valid JSON ({e.Message})");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new SafeTensorsException(SafeTensorsError.HeaderNotJson, source, null, "header is not a JSON object");
            }

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<SafeTensorsEntry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw new SafeTensorsException(SafeTensorsError.DuplicateName, source, property.Name, "name appears twice in the header");
                }
                if (property.Name == MetadataKey)
                {
                    ReadMetadata(property.Value, metadata, source);
                }
                else
                {
                    entries.Add(ReadEntry(property.Name, property.Value, bufferLength, source));
                }
            }
            CheckLayout(entries, bufferLength, source);
            return (entries, metadata);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string source)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SafeTensorsException(SafeTensorsError.MetadataNotString, source, null,
                $"{MetadataKey} is a JSON {value.ValueKind}, not an object of strings");
        }
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw new SafeTensorsException(SafeTensorsError.MetadataNotString, source, null,
                    $"{MetadataKey}.{item.Name} is a JSON {item.Value.ValueKind}; metadata values must be strings");
            }
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
            {
                throw new SafeTensorsException(SafeTensorsError.DuplicateName, source, null, $"{MetadataKey}.{item.Name} appears twice");
            }
        }
    }

    private static SafeTensorsEntry ReadEntry(string name, JsonElement value, long bufferLength, string source)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SafeTensorsException(SafeTensorsError.InvalidTensorInfo, source, name, $"entry is a JSON {value.ValueKind}, not an object");
        }
        JsonElement? dtypeValue = null, shapeValue = null, offsetsValue = null;
        foreach (var field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "dtype" when dtypeValue is null: dtypeValue = field.Value; break;
                case "shape" when shapeValue is null: shapeValue = field.Value; break;
                case "data_offsets" when offsetsValue is null: offsetsValue = field.Value; break;
                default:
                    throw new SafeTensorsException(SafeTensorsError.InvalidTensorInfo, source, name,
                        $"unexpected or repeated field '{field.Name}' (expected dtype, shape, data_offsets)");
            }
        }
        if (dtypeValue is null || shapeValue is null || offsetsValue is null)
        {
            throw new SafeTensorsException(SafeTensorsError.InvalidTensorInfo, source, name,
                "entry must have the fields dtype, shape and data_offsets");
        }

        var dtype = ReadDType(dtypeValue.Value, name, source);
        var shape = ReadShape(shapeValue.Value, name, source);
        var (begin, end) = ReadOffsets(offsetsValue.Value, name, source);

        long elements = 1;
        long bytes;
        try
        {
            foreach (var dimension in shape)
            {
                elements = checked(elements * dimension);
            }
            bytes = checked(elements * dtype.SizeInBytes());
        }
        catch (OverflowException)
        {
            throw new SafeTensorsException(SafeTensorsError.SizeOverflow, source, name, $"shape {FormatShape(shape)} overflows 64 bits");
        }
        if (end - begin != bytes)
        {
            throw new SafeTensorsException(SafeTensorsError.SizeMismatch, source, name,
                $"shape {FormatShape(shape)} of {dtype.Tag()} needs {bytes} bytes but data_offsets [{begin}, {end}] span {end - begin}");
        }
        if (end > bufferLength)
        {
            throw new SafeTensorsException(SafeTensorsError.OffsetsOutOfRange, source, name,
                $"data_offsets [{begin}, {end}] reach past the {bufferLength}-byte buffer (file truncated?)");
        }
        return new SafeTensorsEntry(name, dtype, shape, elements, begin, end);
    }

    private static SafeTensorsDType ReadDType(JsonElement value, string name, string source)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new SafeTensorsException(SafeTensorsError.InvalidTensorInfo, source, name, $"dtype is a JSON {value.ValueKind}, not a string");
        }
        var tag = value.GetString()!;
        return SafeTensorsDTypes.TryParseTag(tag, out var dtype)
            ? dtype
            : throw new SafeTensorsException(SafeTensorsError.UnknownDType, source, name, $"unknown dtype '{tag}'");
    }

    private static long[] ReadShape(JsonElement value, string name, string source)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new SafeTensorsException(SafeTensorsError.InvalidTensorInfo, source, name, $"shape is a JSON {value.ValueKind}, not an array");
        }
        var shape = new long[value.GetArrayLength()];
        var i = 0;
        foreach (var dimension in value.EnumerateArray())
        {
            if (dimension.ValueKind != JsonValueKind.Number || !dimension.TryGetInt64(out var size) || size < 0)
            {
                throw new SafeTensorsException(SafeTensorsError.InvalidShape, source, name,
                    $"shape[{i}] = {dimension.GetRawText()} is not a non-negative 64-bit integer");
            }
            shape[i++] = size;
        }
        return shape;
    }

    private static (long Begin, long End) ReadOffsets(JsonElement value, string name, string source)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != 2)
        {
            throw new SafeTensorsException(SafeTensorsError.InvalidOffsets, source, name,
                $"data_offsets = {Truncate(value.GetRawText())} is not a [begin, end] pair");
        }
        var begin = value[0];
        var end = value[1];
        if (begin.ValueKind != JsonValueKind.Number || !begin.TryGetInt64(out var b) || b < 0
            || end.ValueKind != JsonValueKind.Number || !end.TryGetInt64(out var e) || e < b)
        {
            throw new SafeTensorsException(SafeTensorsError.InvalidOffsets, source, name,
                $"data_offsets = {Truncate(value.GetRawText())} must be integers with 0 <= begin <= end");
        }
        return (b, e);
    }

    /// <summary>Tensors must tile the buffer exactly: sorted by offset, each starts where the previous ended, the last ends at the buffer's end.</summary>
    private static void CheckLayout(List<SafeTensorsEntry> entries, long bufferLength, string source)
    {
        var byOffset = entries.OrderBy(e => e.DataBegin).ThenBy(e => e.DataEnd).ToArray();
        long position = 0;
        SafeTensorsEntry? previous = null;
        foreach (var entry in byOffset)
        {
            if (entry.DataBegin < position)
            {
                throw new SafeTensorsException(SafeTensorsError.Overlap, source, entry.Name,
                    $"bytes [{entry.DataBegin}, {entry.DataEnd}) overlap tensor '{previous!.Name}' at [{previous.DataBegin}, {previous.DataEnd})");
            }
            if (entry.DataBegin > position)
            {
                throw new SafeTensorsException(SafeTensorsError.Gap, source, entry.Name,
                    $"starts at byte {entry.DataBegin} but the previous tensor ends at {position}: bytes in between belong to no tensor");
            }
            position = entry.DataEnd;
            previous = entry;
        }
        if (position != bufferLength)
        {
            throw new SafeTensorsException(SafeTensorsError.TrailingBytes, source, null,
                $"tensors end at byte {position} of a {bufferLength}-byte buffer: {bufferLength - position} trailing bytes belong to no tensor");
        }
    }

    private static string FormatShape(long[] shape) => $"[{string.Join(", ", shape)}]";

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
