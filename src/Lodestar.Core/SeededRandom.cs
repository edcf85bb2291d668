// The one seeded random generator of Lodestar: xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom
// number generators", 2018) seeded by SplitMix64, with derived per-entity seeds so every member, post or shard
// draws from its own stream, and a state that can be saved and restored so training resumes bit for bit.
//
// NextInt is Lemire's multiply-shift on the generator's top 32 bits ("Fast random integer generation in an
// interval", 2019) on the generator's top 32 bits, its best: the bias is below n / 2^32, half that of a
// multiply-shift on 31 bits, and no division or rejection loop is needed.
using System.Runtime.CompilerServices;

namespace Lodestar.Core;

public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public SeededRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>A generator for entity <paramref name="index"/> of kind <paramref name="stream"/> under <paramref name="seed"/>.</summary>
    public static SeededRandom For(ulong seed, ulong stream, long index) => new(DeriveSeed(seed, stream, (ulong)index));

    /// <summary>Mixes a seed with a stream tag and an index into a new, well-separated seed.</summary>
    public static ulong DeriveSeed(ulong seed, ulong stream, ulong index)
    {
        var x = seed ^ (stream * 0x9E3779B97F4A7C15UL);
        var a = SplitMix64(ref x);
        x = a ^ (index * 0xD1B54A32D192ED03UL);
        return SplitMix64(ref x);
    }

    /// <summary>
    /// A uniform draw in [0, 1) that depends only on (seed, stream, index): for decisions that must not depend on
    /// the order they are made in, such as which split a member falls in. A multiply–xor–multiply hash (Fibonacci
    /// hashing of the index, the stream-salted seed xor-ed in, SplitMix64's last multiplier), whose top 53 bits
    /// are uniform and uncorrelated from one index to the next (tested); stream 0 gives the draws the job-matching
    /// member split has always used.
    /// </summary>
    public static double UniformAt(ulong seed, ulong stream, long index)
    {
        var hash = ((ulong)index * 0x9E3779B97F4A7C15UL) ^ ((seed ^ stream) * 0xBF58476D1CE4E5B9UL);
        return ((hash * 0x94D049BB133111EBUL) >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>
    /// The SplitMix64 output for counter <paramref name="index"/> of stream <paramref name="seed"/> (Steele et al.
    /// 2014): 64 random bits per index with no state, so parallel workers draw element-wise masks in any order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong seed, ulong index)
    {
        var z = seed + ((index + 1) * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The four state words (for checkpoints).</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3];

    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 4 || (state[0] | state[1] | state[2] | state[3]) == 0)
        {
            throw new ArgumentException("a xoshiro256** state is four words, not all zero", nameof(state));
        }
        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="bound"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int NextInt(int bound)
    {
        if (bound <= 0)
        {
            ThrowNonPositiveBound(bound);
        }
        return (int)((NextUInt64() >> 32) * (ulong)bound >> 32);
    }

    public bool Bernoulli(double p) => NextDouble() < p;

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher–Yates from the end: j = NextInt(i + 1) for i = n−1 .. 1).</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (var i = values.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>Standard normal by Box–Muller (one of the pair; simple and deterministic).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Poisson by inversion for small means, normal approximation above 30.</summary>
    public int NextPoisson(double mean)
    {
        if (mean <= 0)
        {
            return 0;
        }
        if (mean > 30)
        {
            return Math.Max(0, (int)Math.Round(mean + Math.Sqrt(mean) * NextGaussian()));
        }
        var limit = Math.Exp(-mean);
        var k = 0;
        var p = NextDouble();
        while (p > limit)
        {
            k++;
            p *= NextDouble();
        }
        return k;
    }

    /// <summary>Gamma(shape, 1) by Marsaglia–Tsang (2000), with the shape &lt; 1 boost.</summary>
    public double NextGamma(double shape)
    {
        if (shape < 1)
        {
            return NextGamma(shape + 1) * Math.Pow(NextDouble() + 1e-300, 1.0 / shape);
        }
        var d = shape - 1.0 / 3.0;
        var c = 1.0 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = NextGaussian();
                v = 1 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            var u = NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v)))
            {
                return d * v;
            }
        }
    }

    /// <summary>Picks index i with probability weights[i] / sum(weights).</summary>
    public int PickWeighted(ReadOnlySpan<float> weights)
    {
        double total = 0;
        foreach (var w in weights)
        {
            total += w;
        }
        var target = NextDouble() * total;
        for (var i = 0; i < weights.Length; i++)
        {
            target -= weights[i];
            if (target < 0)
            {
                return i;
            }
        }
        return weights.Length - 1;
    }

    /// <summary>Fills <paramref name="values"/> with draws from N(0, std²).</summary>
    public void FillNormal(Span<float> values, float std)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(NextGaussian() * std);
        }
    }

    /// <summary>Fills <paramref name="values"/> with draws from U(−bound, bound).</summary>
    public void FillUniform(Span<float> values, float bound)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(((2 * NextDouble()) - 1) * bound);
        }
    }

    private static void ThrowNonPositiveBound(int bound) =>
        throw new ArgumentOutOfRangeException(nameof(bound), bound, "bound must be positive");

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
