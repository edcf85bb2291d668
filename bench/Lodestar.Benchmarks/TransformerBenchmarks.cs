// BenchmarkDotNet view of the reference transformer ("small" config, T=128): one AdamW training step at
// batch 32 and one batch-1 forward, with allocations reported (a warm step should allocate nothing).
using BenchmarkDotNet.Attributes;
using Lodestar.Core;
using Lodestar.Nn;
using Lodestar.Nn.Optim;
using Lodestar.Tensors;

namespace Lodestar.Benchmarks;

[MemoryDiagnoser]
public class TransformerBenchmarks
{
    private const int Tokens = 128;
    private const int TrainBatch = 32;

    private readonly TransformerClassifier _model = new(TransformerConfig.Small with { Seed = 42 });
    private readonly Graph _trainGraph = new();
    private readonly Graph _inferenceGraph = new(recordGradients: false);
    private int[] _tokens = [];
    private int[] _labels = [];
    private int[] _singleSequence = [];
    private AdamW _optimizer = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(7);
        _tokens = Enumerable.Range(0, TrainBatch * Tokens).Select(_ => random.NextInt(_model.Config.VocabSize)).ToArray();
        _labels = Enumerable.Range(0, TrainBatch).Select(_ => random.NextInt(_model.Config.NumClasses)).ToArray();
        _singleSequence = _tokens[..Tokens];
        _optimizer = new AdamW(_model.Parameters(), new AdamWConfig { LearningRate = 1e-4f });
    }

    [Benchmark]
    public float TrainStepBatch32()
    {
        _trainGraph.Reset();
        _optimizer.ZeroGrad();
        var loss = _model.Loss(_trainGraph, _tokens, _labels, TrainBatch, Tokens);
        _trainGraph.Backward(loss);
        _optimizer.Step();
        return loss.Data[0];
    }

    [Benchmark]
    public float InferBatch1()
    {
        _inferenceGraph.Reset();
        return _model.Forward(_inferenceGraph, _singleSequence, 1, Tokens).Data[0];
    }
}
