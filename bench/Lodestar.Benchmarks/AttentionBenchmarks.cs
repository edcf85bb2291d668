// BenchmarkDotNet view of fused attention (B=1, H=4, T=512, D=64): causal and full forward+backward, and
// the block-sparse ranking mask (128 causal context + 384 isolated candidates), with allocations reported.
using BenchmarkDotNet.Attributes;
using Lodestar.Kernels;

namespace Lodestar.Benchmarks;

[MemoryDiagnoser]
public class AttentionBenchmarks
{
    private static readonly AttentionShape Shape = new(1, 4, 512, 64);
    private readonly AttentionMask _block = AttentionMask.ForBlock(
        BlockMask.SharedContextWithIsolatedCandidates(128, Enumerable.Repeat(1, 384).ToArray(), causalContext: true));
    private float[] _q = [], _k = [], _v = [], _dOut = [], _out = [], _lse = [], _dq = [], _dk = [], _dv = [];

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        KernelThreads.Count = Threads;
        var random = new Random(42);
        float[] Random() => Enumerable.Range(0, (int)Shape.Elements).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        (_q, _k, _v, _dOut) = (Random(), Random(), Random(), Random());
        (_out, _dq, _dk, _dv) = (new float[Shape.Elements], new float[Shape.Elements], new float[Shape.Elements], new float[Shape.Elements]);
        _lse = new float[Shape.Heads * Shape.Tokens];
    }

    [Benchmark(Baseline = true)]
    public void FullForwardBackward() => Run(AttentionMask.None);

    [Benchmark]
    public void CausalForwardBackward() => Run(AttentionMask.CausalOnly);

    [Benchmark]
    public void BlockForwardBackward() => Run(_block);

    [Benchmark]
    public void BlockForward() => FlashAttention.Forward(Shape, _q, _k, _v, _out, _lse, _block);

    private void Run(AttentionMask mask)
    {
        FlashAttention.Forward(Shape, _q, _k, _v, _out, _lse, mask);
        FlashAttention.Backward(Shape, _q, _k, _v, _out, _lse, _dOut, _dq, _dk, _dv, mask);
    }
}
