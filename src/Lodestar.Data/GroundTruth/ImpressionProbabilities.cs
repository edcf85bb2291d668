// The true probability of every action on every impression, stored compactly as fixed 32-byte rows
// (int64 impression id, then float32 click, skip, long dwell, like, comment, share; little-endian) in
// the order of feed_impressions.jsonl. 20M impressions take 640 MB instead of ~2 GB as JSON.
using System.Buffers.Binary;
using Lodestar.Data.Storage;

namespace Lodestar.Data.GroundTruth;

/// <summary>One impression's true action probabilities.</summary>
public readonly record struct ImpressionProbabilities(long ImpressionId, float Click, float Skip, float LongDwell, float Like, float Comment, float Share)
{
    public const int RowBytes = 32;

    public void WriteTo(Span<byte> row)
    {
        BinaryPrimitives.WriteInt64LittleEndian(row, ImpressionId);
        BinaryPrimitives.WriteSingleLittleEndian(row[8..], Click);
        BinaryPrimitives.WriteSingleLittleEndian(row[12..], Skip);
        BinaryPrimitives.WriteSingleLittleEndian(row[16..], LongDwell);
        BinaryPrimitives.WriteSingleLittleEndian(row[20..], Like);
        BinaryPrimitives.WriteSingleLittleEndian(row[24..], Comment);
        BinaryPrimitives.WriteSingleLittleEndian(row[28..], Share);
    }

    public static ImpressionProbabilities ReadFrom(ReadOnlySpan<byte> row) => new(
        BinaryPrimitives.ReadInt64LittleEndian(row),
        BinaryPrimitives.ReadSingleLittleEndian(row[8..]),
        BinaryPrimitives.ReadSingleLittleEndian(row[12..]),
        BinaryPrimitives.ReadSingleLittleEndian(row[16..]),
        BinaryPrimitives.ReadSingleLittleEndian(row[20..]),
        BinaryPrimitives.ReadSingleLittleEndian(row[24..]),
        BinaryPrimitives.ReadSingleLittleEndian(row[28..]));

    /// <summary>Streams every row of an impression_probabilities.bin file.</summary>
    public static IEnumerable<ImpressionProbabilities> ReadAll(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (stream.Length % RowBytes != 0)
        {
            throw new DataFormatException(path, stream.Length / RowBytes + 1, null, $"file length {stream.Length} is not a multiple of {RowBytes}-byte rows");
        }
        var row = new byte[RowBytes];
        while (stream.Position < stream.Length)
        {
            stream.ReadExactly(row);
            yield return ReadFrom(row);
        }
    }
}
