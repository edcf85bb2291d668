// Measures encoding speed in MB of UTF-8 text per second on one thread: cold (word cache off, every
// word merged from bytes) and warm (the cache in steady state), the two ends a real workload sits between.
using System.Diagnostics;
using System.Text;

namespace Lodestar.Text.Tokenization;

/// <summary>One throughput measurement.</summary>
/// <param name="MegabytesPerSecond">UTF-8 megabytes (10^6 bytes) encoded per second.</param>
/// <param name="TokensPerSecond">Tokens produced per second.</param>
/// <param name="Passes">Times the whole text was encoded.</param>
/// <param name="Seconds">Wall time measured.</param>
/// <param name="MegabytesPerCpuSecond">The same per second of this process's CPU time: less sensitive to other work on a shared machine.</param>
public sealed record ThroughputResult(double MegabytesPerSecond, double TokensPerSecond, int Passes, double Seconds, double MegabytesPerCpuSecond);

public static class EncodingThroughput
{
    /// <summary>
    /// Encodes <paramref name="lines"/> (one encode call per line, as prompts arrive) repeatedly for at least
    /// <paramref name="minSeconds"/> after one untimed warm-up pass, and reports the rate.
    /// </summary>
    public static ThroughputResult Measure(BpeTokenizer tokenizer, IReadOnlyList<string> lines, double minSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minSeconds);
        if (lines.Count == 0)
        {
            throw new ArgumentException("no text to encode", nameof(lines));
        }
        long bytesPerPass = 0;
        foreach (var line in lines)
        {
            bytesPerPass += Encoding.UTF8.GetByteCount(line);
        }
        var ids = new List<int>(1 << 16);
        EncodeAll(tokenizer, lines, ids);
        var passes = 0;
        long tokens = 0;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        do
        {
            tokens += EncodeAll(tokenizer, lines, ids);
            passes++;
        }
        while (clock.Elapsed.TotalSeconds < minSeconds);
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var megabytes = bytesPerPass * (double)passes / 1e6;
        return new ThroughputResult(megabytes / seconds, tokens / seconds, passes, seconds, megabytes / Math.Max(cpuSeconds, 1e-9));
    }

    /// <summary>Encodes each line into <paramref name="ids"/> (cleared per line) and returns the total token count.</summary>
    public static long EncodeAll(BpeTokenizer tokenizer, IReadOnlyList<string> lines, List<int> ids)
    {
        long tokens = 0;
        foreach (var line in lines)
        {
            ids.Clear();
            tokenizer.Encode(line, ids);
            tokens += ids.Count;
        }
        return tokens;
    }
}
