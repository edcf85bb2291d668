// Reads and writes Hugging Face's tokenizer.json (model BPE, ByteLevel pre-tokenizer and decoder,
// added_tokens) so standard tools load Lodestar's tokenizers; writes are atomic (temp file + rename).
using System.Text;
using System.Text.Json;
using Lodestar.Core;
using Lodestar.Data.Storage;

namespace Lodestar.Text.Tokenization;

public static class TokenizerJson
{
    /// <summary>Writes <paramref name="tokenizer"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(BpeTokenizer tokenizer, string path)
    {
        var stream = AtomicFile.CreateTemp(path);
        try
        {
            Write(tokenizer, stream);
        }
        catch
        {
            AtomicFile.Abandon(stream);
            throw;
        }
        AtomicFile.Commit(stream, path);
    }

    /// <summary>Writes the tokenizer.json document to <paramref name="stream"/>.</summary>
    public static void Write(BpeTokenizer tokenizer, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("version", "1.0");
        json.WriteNull("truncation");
        json.WriteNull("padding");
        json.WriteStartArray("added_tokens");
        foreach (var token in tokenizer.AddedTokens)
        {
            json.WriteStartObject();
            json.WriteNumber("id", token.Id);
            json.WriteString("content", token.Content);
            json.WriteBoolean("single_word", false);
            json.WriteBoolean("lstrip", false);
            json.WriteBoolean("rstrip", false);
            json.WriteBoolean("normalized", false);
            json.WriteBoolean("special", token.Special);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteNull("normalizer");
        json.WriteStartObject("pre_tokenizer");
        WriteByteLevel(json);
        json.WriteEndObject();
        json.WriteNull("post_processor");
        json.WriteStartObject("decoder");
        WriteByteLevel(json);
        json.WriteEndObject();
        json.WriteStartObject("model");
        json.WriteString("type", "BPE");
        json.WriteNull("dropout");
        json.WriteNull("unk_token");
        json.WriteNull("continuing_subword_prefix");
        json.WriteNull("end_of_word_suffix");
        json.WriteBoolean("fuse_unk", false);
        json.WriteBoolean("byte_fallback", false);
        json.WriteBoolean("ignore_merges", false);
        json.WriteStartObject("vocab");
        for (var id = 0; id < tokenizer.ModelVocabSize; id++)
        {
            json.WriteNumber(tokenizer.IdToToken(id), id);
        }
        json.WriteEndObject();
        json.WriteStartArray("merges");
        foreach (var (left, right) in tokenizer.Merges)
        {
            json.WriteStartArray();
            json.WriteStringValue(tokenizer.IdToToken(left));
            json.WriteStringValue(tokenizer.IdToToken(right));
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Loads a tokenizer.json; throws naming the file and the field that is missing or unsupported.</summary>
    public static BpeTokenizer Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: tokenizer file not found", path);
        }
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads a tokenizer.json document; <paramref name="source"/> names it in errors.</summary>
    public static BpeTokenizer Read(Stream stream, string source)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        // JSON strings are read as UTF-16 later, and a byte sequence that is not UTF-8 fails there with no file named.
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            throw new InvalidDataException($"{source}: not UTF-8 text (byte {FirstInvalidUtf8(bytes)} begins no UTF-8 sequence)");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: not valid JSON (line {ex.LineNumber + 1}): {ex.Message}", ex);
        }
        using (document)
        {
            var root = document.RootElement;
            var model = Required(root, "model", JsonValueKind.Object, source);
            var type = Required(model, "type", JsonValueKind.String, source, "model.").GetString();
            if (type != "BPE")
            {
                throw new InvalidDataException($"{source}: model.type is '{type}'; only BPE is supported");
            }
            RequireByteLevel(root, "pre_tokenizer", source);
            RequireByteLevel(root, "decoder", source);
            if (root.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind != JsonValueKind.Null)
            {
                throw new InvalidDataException($"{source}: normalizer must be null (Lodestar's byte-level BPE does not normalize)");
            }
            var vocab = ReadVocab(Required(model, "vocab", JsonValueKind.Object, source, "model."), source);
            var merges = ReadMerges(Required(model, "merges", JsonValueKind.Array, source, "model."), vocab, source);
            var added = ReadAddedTokens(root, source);
            try
            {
                return new BpeTokenizer(vocab, merges, added);
            }
            catch (ArgumentException ex)
            {
                throw new InvalidDataException($"{source}: {ex.Message}", ex);
            }
        }
    }

    /// <summary>The offset of the first byte of <paramref name="bytes"/> that begins no valid UTF-8 sequence.</summary>
    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }
            offset += consumed;
        }
        return offset;
    }

    private static void WriteByteLevel(Utf8JsonWriter json)
    {
        json.WriteString("type", "ByteLevel");
        json.WriteBoolean("add_prefix_space", false);
        json.WriteBoolean("trim_offsets", true);
        json.WriteBoolean("use_regex", true);
    }

    private static void RequireByteLevel(JsonElement root, string name, string source)
    {
        var element = Required(root, name, JsonValueKind.Object, source);
        var type = Required(element, "type", JsonValueKind.String, source, name + ".").GetString();
        if (type != "ByteLevel")
        {
            throw new InvalidDataException($"{source}: {name}.type is '{type}'; only ByteLevel is supported");
        }
        if (element.TryGetProperty("add_prefix_space", out var prefix) && prefix.ValueKind == JsonValueKind.True)
        {
            throw new InvalidDataException($"{source}: {name}.add_prefix_space is true; only false is supported");
        }
        if (element.TryGetProperty("use_regex", out var regex) && regex.ValueKind == JsonValueKind.False)
        {
            throw new InvalidDataException($"{source}: {name}.use_regex is false; only the GPT-2 pattern is supported");
        }
    }

    private static string[] ReadVocab(JsonElement vocab, string source)
    {
        var byId = new SortedDictionary<int, string>();
        foreach (var entry in vocab.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id) || id < 0)
            {
                throw new InvalidDataException($"{source}: model.vocab['{entry.Name}'] must be a non-negative integer id");
            }
            if (!byId.TryAdd(id, entry.Name))
            {
                throw new InvalidDataException($"{source}: model.vocab: id {id} is given to both '{byId[id]}' and '{entry.Name}'");
            }
        }
        var tokens = new string[byId.Count];
        foreach (var (id, token) in byId)
        {
            if (id >= tokens.Length)
            {
                throw new InvalidDataException($"{source}: model.vocab: ids must be 0..{tokens.Length - 1}, found {id} ('{token}')");
            }
            tokens[id] = token;
        }
        return tokens;
    }

    private static List<(int Left, int Right)> ReadMerges(JsonElement merges, string[] vocab, string source)
    {
        var ids = new Dictionary<string, int>(vocab.Length, StringComparer.Ordinal);
        for (var id = 0; id < vocab.Length; id++)
        {
            ids[vocab[id]] = id;
        }
        var result = new List<(int, int)>(merges.GetArrayLength());
        var rank = 0;
        foreach (var merge in merges.EnumerateArray())
        {
            // Both layouts Hugging Face writes: ["a", "b"] (tokenizers >= 0.20) and "a b" (older files).
            string? left, right;
            if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            {
                left = merge[0].GetString();
                right = merge[1].GetString();
            }
            else if (merge.ValueKind == JsonValueKind.String && merge.GetString()!.Split(' ') is [var a, var b])
            {
                (left, right) = (a, b);
            }
            else
            {
                throw new InvalidDataException($"{source}: model.merges[{rank}] must be [\"left\", \"right\"] or \"left right\"");
            }
            if (left is null || right is null || !ids.TryGetValue(left, out var leftId) || !ids.TryGetValue(right, out var rightId))
            {
                throw new InvalidDataException($"{source}: model.merges[{rank}] names a token that is not in model.vocab");
            }
            result.Add((leftId, rightId));
            rank++;
        }
        return result;
    }

    private static List<AddedToken> ReadAddedTokens(JsonElement root, string source)
    {
        var tokens = new List<AddedToken>();
        if (!root.TryGetProperty("added_tokens", out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return tokens;
        }
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{source}: added_tokens must be an array");
        }
        var index = 0;
        foreach (var token in array.EnumerateArray())
        {
            var prefix = $"added_tokens[{index}].";
            if (!Required(token, "id", JsonValueKind.Number, source, prefix).TryGetInt32(out var id) || id < 0)
            {
                throw new InvalidDataException($"{source}: {prefix}id must be a non-negative integer id");
            }
            var content = Required(token, "content", JsonValueKind.String, source, prefix).GetString()!;
            var special = token.TryGetProperty("special", out var flag) && flag.ValueKind == JsonValueKind.True;
            foreach (var unsupported in (string[])["single_word", "lstrip", "rstrip"])
            {
                if (token.TryGetProperty(unsupported, out var value) && value.ValueKind == JsonValueKind.True)
                {
                    throw new InvalidDataException($"{source}: {prefix}{unsupported} is true; Lodestar supports only false");
                }
            }
            tokens.Add(new AddedToken(id, content, special));
            index++;
        }
        return tokens;
    }

    private static JsonElement Required(JsonElement parent, string name, JsonValueKind kind, string source, string prefix = "")
    {
        if (parent.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{source}: {(prefix.Length == 0 ? "the top level" : prefix.TrimEnd('.'))} must be an object, found {parent.ValueKind}");
        }
        if (!parent.TryGetProperty(name, out var value))
        {
            throw new InvalidDataException($"{source}: field {prefix}{name} is missing");
        }
        if (value.ValueKind != kind)
        {
            throw new InvalidDataException($"{source}: field {prefix}{name} must be {kind}, found {value.ValueKind}");
        }
        return value;
    }

    /// <summary>The tokenizer.json text (for tests and tools that want it in memory).</summary>
    public static string ToJsonString(BpeTokenizer tokenizer)
    {
        using var stream = new MemoryStream();
        Write(tokenizer, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
