// Seeded fuzzing of the safetensors reader: mutated, truncated and random files must either parse or
// raise SafeTensorsException; no other exception (and no out-of-range read) may escape.
using System.Buffers.Binary;
using System.Text;
using Lodestar.Tensors.Serialization;

namespace Lodestar.Tensors.Tests;

public sealed class SerializationFuzzTests
{
    private static byte[] Seed()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("tok_emb.weight", new float[] { 1, 2, 3, 4, 5, 6 }, 3, 2);
        writer.Add("tokens", new long[] { 1, 2, 3 }, 1, 3);
        writer.Add("mask", new byte[] { 0, 1, 1 }, 3);
        writer.AddRaw("half", SafeTensorsDType.BF16, new byte[4], 2);
        return writer.ToBytes(new Dictionary<string, string> { ["config"] = "{\"d_model\":32}" });
    }

    /// <summary>Parses and touches every tensor the way a caller would; returns whether the file was accepted.</summary>
    private static bool ParseAndReadAll(byte[] bytes)
    {
        try
        {
            using var file = SafeTensorsFile.Parse(bytes, "fuzz");
            long sum = 0;
            foreach (var entry in file.Entries)
            {
                foreach (var b in file.GetBytes(entry.Name))
                {
                    sum += b;
                }
                if (entry.DType is SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16 or SafeTensorsDType.F64)
                {
                    _ = file.ToFloat32Array(entry.Name);
                }
            }
            return sum >= 0;
        }
        catch (SafeTensorsException)
        {
            return false;
        }
    }

    [Fact]
    public void MutatedFilesOnlyEverRaiseSafeTensorsException()
    {
        var seed = Seed();
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(seed);
        var random = new Random(20261122);
        var accepted = 0;
        const int Cases = 3000;
        for (var i = 0; i < Cases; i++)
        {
            var bytes = (byte[])seed.Clone();
            switch (random.Next(5))
            {
                case 0: // flip random bytes anywhere, mostly in the header
                    for (var k = random.Next(1, 4); k > 0; k--)
                    {
                        var at = random.Next(3) == 0 ? random.Next(bytes.Length) : 8 + random.Next(headerLength);
                        bytes[at] = (byte)random.Next(256);
                    }
                    break;
                case 1: // truncate
                    bytes = bytes[..random.Next(bytes.Length)];
                    break;
                case 2: // rewrite the length prefix
                    BinaryPrimitives.WriteUInt64LittleEndian(bytes, random.Next(4) == 0 ? (ulong)random.NextInt64() : (ulong)random.Next(bytes.Length + 16));
                    break;
                case 3: // replace a digit in the header (shapes and offsets)
                    {
                        var header = Encoding.UTF8.GetString(bytes, 8, headerLength).ToCharArray();
                        var digits = Enumerable.Range(0, header.Length).Where(p => char.IsAsciiDigit(header[p])).ToArray();
                        header[digits[random.Next(digits.Length)]] = (char)('0' + random.Next(10));
                        Encoding.UTF8.GetBytes(header).CopyTo(bytes, 8);
                        break;
                    }
                default: // insert or delete a byte in the header
                    {
                        var list = bytes.ToList();
                        var at = 8 + random.Next(headerLength);
                        if (random.Next(2) == 0)
                        {
                            list.Insert(at, (byte)"{}[],:\"0-e ."[random.Next(12)]);
                        }
                        else
                        {
                            list.RemoveAt(at);
                        }
                        bytes = [.. list];
                        break;
                    }
            }
            accepted += ParseAndReadAll(bytes) ? 1 : 0;
        }
        // Some mutations are harmless (a flipped data byte); most must be caught.
        Assert.InRange(accepted, 1, Cases - 1);
    }

    [Fact]
    public void RandomBytesOnlyEverRaiseSafeTensorsException()
    {
        var random = new Random(5);
        for (var i = 0; i < 1500; i++)
        {
            var bytes = new byte[random.Next(0, 96)];
            random.NextBytes(bytes);
            if (bytes.Length >= 8 && random.Next(2) == 0)
            {
                // A plausible length prefix, so the header parser sees random text rather than failing early.
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)random.Next(bytes.Length - 7));
                if (bytes.Length > 8)
                {
                    bytes[8] = (byte)'{';
                }
            }
            Assert.False(ParseAndReadAll(bytes));
        }
    }
}
