// GPT-2's reversible map between the 256 byte values and 256 printable Unicode characters, used by
// byte-level BPE so every token is a printable string in tokenizer.json (Radford et al. 2019, encoder.py).
namespace Lodestar.Text.Tokenization;

public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToCharTable = BuildByteToChar();
    private static readonly byte[] CharToByteTable = BuildCharToByte(ByteToCharTable);

    /// <summary>The printable character that stands for <paramref name="value"/> inside token strings.</summary>
    public static char ByteToChar(byte value) => ByteToCharTable[value];

    /// <summary>True when <paramref name="symbol"/> is one of the 256 byte characters; <paramref name="value"/> is its byte.</summary>
    public static bool TryCharToByte(char symbol, out byte value)
    {
        if (symbol < CharToByteTable.Length && ByteToCharTable[CharToByteTable[symbol]] == symbol)
        {
            value = CharToByteTable[symbol];
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>The token string of a byte sequence (one character per byte).</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        return string.Create(bytes.Length, bytes.ToArray(), static (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                chars[i] = ByteToCharTable[source[i]];
            }
        });
    }

    // Bytes that are printable Latin-1 (! .. ~, ¡ .. ¬, ® .. ÿ) stand for themselves; the other 68 bytes
    // take the code points 256, 257, ... in byte order.
    private static char[] BuildByteToChar()
    {
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char)b : (char)next++;
        }
        return table;
    }

    private static byte[] BuildCharToByte(char[] byteToChar)
    {
        var table = new byte[256 + 68];
        for (var b = 0; b < 256; b++)
        {
            table[byteToChar[b]] = (byte)b;
        }
        return table;
    }
}
