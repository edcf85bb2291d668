// Loads a `uid item1 … itemN` sequence file (through Lodestar.Data's SequenceReader) into leave-one-out
// splits with its provenance (path, SHA-256, counts), so every run records which bytes it used.
using System.Security.Cryptography;
using Lodestar.Data.Readers;

namespace Lodestar.Features.SeqRec;

public static class SeqRecData
{
    /// <summary>Every user needs a training item, a validation target and a test target.</summary>
    public const int MinimumSequenceLength = 3;

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
        var userIds = new List<long>();
        var sequences = new List<int[]>();
        foreach (var sequence in SequenceReader.Read(fullPath, minLength: MinimumSequenceLength))
        {
            // The reader keeps item ids within 1..SequenceReader.MaxItemId, so each fits an int.
            var items = new int[sequence.Items.Count];
            for (var i = 0; i < items.Length; i++)
            {
                items[i] = (int)sequence.Items[i];
            }
            userIds.Add(sequence.UserId);
            sequences.Add(items);
        }
        var itemCount = sequences.Count == 0 ? 0 : sequences.Max(s => s.Max());
        var provenance = new DataProvenance(fullPath, sha256, sequences.Count, itemCount, sequences.Sum(s => (long)s.Length));
        return SequenceSplits.Create(provenance, [.. userIds], [.. sequences]);
    }
}
