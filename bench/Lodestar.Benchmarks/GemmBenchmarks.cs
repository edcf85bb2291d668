// BenchmarkDotNet view of the GEMM kernels (fp32 forward and backward transposes, int8, bf16) at the
// sizes `lodestar bench gemm` uses, with the allocation column that must read 0 B per call.
using BenchmarkDotNet.Attributes;
using Lodestar.Kernels;

namespace Lodestar.Benchmarks;

[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] a = [], b = [], c = [];
    private byte[] quantizedA = [], zeroA = [];
    private sbyte[] quantizedW = [];
    private float[] scaleA = [], scaleW = [];
    private ushort[] bf16W = [];

    [Params(256, 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        int n = Size;
        var rng = new Random(1234);
        a = Fill(rng, n * n);
        b = Fill(rng, n * n);
        c = new float[n * n];
        (quantizedA, zeroA, scaleA) = (new byte[n * n], new byte[n], new float[n]);
        (quantizedW, scaleW) = (new sbyte[n * n], new float[n]);
        Int8Quantize.RowsToU8(n, n, a, n, quantizedA, n, scaleA, zeroA, reduceRange: true);
        Int8Quantize.RowsToS8(n, n, b, n, quantizedW, n, scaleW);
        bf16W = new ushort[n * n];
        Bf16.FromFloat(b, bf16W);
    }

    [Benchmark(Baseline = true)]
    public void Fp32Forward() => Gemm.Multiply(false, false, Size, Size, Size, 1f, a, Size, b, Size, 0f, c, Size);

    [Benchmark]
    public void Fp32BackwardInput() => Gemm.Multiply(false, true, Size, Size, Size, 1f, a, Size, b, Size, 0f, c, Size);

    [Benchmark]
    public void Fp32BackwardWeight() => Gemm.Multiply(true, false, Size, Size, Size, 1f, a, Size, b, Size, 0f, c, Size);

    [Benchmark]
    public void Int8Forward() => Int8Gemm.Multiply(Size, Size, Size, quantizedA, Size, scaleA, zeroA, quantizedW, Size, scaleW, c, Size);

    [Benchmark]
    public void Bf16Forward() => Bf16Gemm.Multiply(Size, Size, Size, a, Size, bf16W, Size, c, Size);

    private static float[] Fill(Random rng, int length)
    {
        var data = new float[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (float)(rng.NextDouble() * 2 - 1);
        }
        return data;
    }
}
