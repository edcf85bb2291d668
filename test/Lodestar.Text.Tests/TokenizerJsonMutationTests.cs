// Every structural lie in a tokenizer.json is refused with the file named: each node of a valid file (and the file
// itself) replaced in turn by a value of every other JSON kind, and each object member removed; Read either loads the
// result or throws InvalidDataException starting with the file's name, never a bare .NET JSON error.
using System.Text;
using System.Text.Json.Nodes;
using Lodestar.Text.Tokenization;

namespace Lodestar.Text.Tests;

public sealed class TokenizerJsonMutationTests
{
    private static readonly string[] Replacements = ["null", "7", "-1", "2147483648", "1.5", "true", "\"x\"", "\"\"", "[]", "[1,2]", "[\"a\"]", "{}", "{\"id\":1}"];

    [Fact]
    public void EveryNodeReplacedOrRemovedIsLoadedOrRefusedNamingTheFile()
    {
        var valid = TokenizerJson.ToJsonString(SampleTexts.Train(vocabSize: 330));
        var paths = new List<object[]>();
        Collect(JsonNode.Parse(valid)!, [], paths);
        Assert.True(paths.Count > 300, $"{paths.Count} nodes");
        var tried = 0;
        foreach (var path in paths)
        {
            foreach (var replacement in Replacements)
            {
                Check(Mutate(valid, path, JsonNode.Parse(replacement)), $"{Describe(path)} = {replacement}");
                tried++;
            }
            if (path is [.., string])
            {
                Check(Mutate(valid, path, null), $"{Describe(path)} removed");
                tried++;
            }
        }
        Assert.True(tried > 4000, $"{tried} files tried");
    }

    [Fact]
    public void BytesThatAreNotUtf8AreRefusedNamingTheFileAndTheByte()
    {
        // A vocabulary key with an invalid byte: .NET reads JSON strings as UTF-16 and would fail there, naming no file.
        var valid = Encoding.UTF8.GetBytes(TokenizerJson.ToJsonString(SampleTexts.Train(vocabSize: 300)));
        var at = Array.IndexOf(valid, (byte)'"', Encoding.UTF8.GetString(valid).IndexOf("\"vocab\"", StringComparison.Ordinal) + 10) + 1;
        var broken = (byte[])valid.Clone();
        broken[at] = 0xC3;
        broken[at + 1] = 0x28;
        using var stream = new MemoryStream(broken);
        var error = Assert.Throws<InvalidDataException>(() => TokenizerJson.Read(stream, "broken.json"));
        Assert.Equal($"broken.json: not UTF-8 text (byte {at} begins no UTF-8 sequence)", error.Message);
    }

    private static void Check(string json, string mutation)
    {
        try
        {
            TokenizerJson.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "m.json");
        }
        catch (InvalidDataException ex)
        {
            Assert.True(ex.Message.StartsWith("m.json: ", StringComparison.Ordinal), $"{mutation}: {ex.Message}");
        }
        catch (Exception ex)
        {
            Assert.Fail($"{mutation}: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static string Describe(object[] path) => "$" + string.Concat(path.Select(p => p is int i ? $"[{i}]" : $".{p}"));

    /// <summary>Every node's path: member names (string) and array indices (int) from the root.</summary>
    private static void Collect(JsonNode node, object[] path, List<object[]> paths)
    {
        paths.Add(path);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    if (child is not null)
                    {
                        Collect(child, [.. path, name], paths);
                    }
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is { } child)
                    {
                        Collect(child, [.. path, i], paths);
                    }
                }
                break;
        }
    }

    /// <summary>The file with the node at <paramref name="path"/> replaced, or removed when <paramref name="replacement"/> is null and it is an object member.</summary>
    private static string Mutate(string json, object[] path, JsonNode? replacement)
    {
        if (path.Length == 0)
        {
            return replacement?.ToJsonString() ?? "null";
        }
        var root = JsonNode.Parse(json)!;
        var parent = root;
        foreach (var step in path[..^1])
        {
            parent = step is int i ? parent!.AsArray()[i] : parent!.AsObject()[(string)step];
        }
        switch (path[^1])
        {
            case int i:
                parent!.AsArray()[i] = replacement;
                break;
            case string name when replacement is null:
                parent!.AsObject().Remove(name);
                break;
            case string name:
                parent!.AsObject()[name] = replacement;
                break;
        }
        return root.ToJsonString();
    }
}
