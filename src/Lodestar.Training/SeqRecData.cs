// Loads a `uid item1 … itemN` sequence file into leave-one-out splits with its provenance (path, SHA-256,
// counts), so every run records exactly which bytes it was trained and evaluated on.
using System.Security.Cryptography;
using Lodestar.Data.Storage;

namespace Lodestar.Training;

public static class SeqRecData
{
    public static SequenceSplits Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: sequence file not found", path);
        }
        var fullPath = Path.GetFullPath(path);
        string sha256;
        using (var stream = File.OpenRead(fullPath))
        {
            sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        // STAND-IN until branch `world` lands its sequential reader: strict parse, errors name file and line.
        var userIds = new List<long>();
        var sequences = new List<int[]>();
        var line = 0;
        foreach (var text in File.ReadLines(fullPath))
        {
            line++;
            var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }
            if (!long.TryParse(fields[0], out var uid))
            {
                throw new DataFormatException(fullPath, line, "uid", $"'{fields[0]}' is not an integer");
            }
            var items = new int[fields.Length - 1];
            for (var i = 1; i < fields.Length; i++)
            {
                if (!int.TryParse(fields[i], out items[i - 1]) || items[i - 1] < 1)
                {
                    throw new DataFormatException(fullPath, line, $"item {i}", $"'{fields[i]}' is not a positive integer item id");
                }
            }
            userIds.Add(uid);
            sequences.Add(items);
        }
        var itemCount = sequences.Count == 0 ? 0 : sequences.Max(s => s.Length == 0 ? 0 : s.Max());
        var provenance = new DataProvenance(fullPath, sha256, sequences.Count, itemCount, sequences.Sum(s => (long)s.Length));
        return SequenceSplits.Create(provenance, [.. userIds], [.. sequences]);
    }
}
