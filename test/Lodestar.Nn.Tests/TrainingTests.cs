// Training mechanics: a warm step allocates no managed memory, the same seed gives the same bytes,
// checkpoint/resume continues bit for bit, and the optimizer, clipping, schedule and EMA follow their formulas.
using System.Text.Json;
using Lodestar.Core;
using Lodestar.TestSupport;
using Lodestar.Nn.Optim;
using Lodestar.Tensors;

namespace Lodestar.Nn.Tests;

public sealed class TrainingTests
{
    private static readonly TransformerConfig Config = new()
    {
        VocabSize = 50, Channels = 16, Heads = 2, FeedForward = 32, Layers = 2, MaxTokens = 8, NumClasses = 3, Dropout = 0.1f, Seed = 3,
    };

    private sealed class Run(TransformerConfig config)
    {
        private readonly Graph _graph = new();
        private readonly int[] _tokens = new int[4 * 8];
        private readonly int[] _labels = new int[4];
        private readonly byte[] _keep = [.. Enumerable.Repeat((byte)1, 30), 0, 0];

        public TransformerClassifier Model { get; } = new(config);

        public AdamW Optimizer { get; private set; } = null!;

        public SeededRandom Data { get; } = new(99);

        public WarmupCosineSchedule Schedule { get; } = new WarmupCosineSchedule { PeakLearningRate = 3e-3f, MinLearningRate = 1e-4f, WarmupSteps = 2, TotalSteps = 10 }.Validate();

        public int Step { get; set; }

        private IReadOnlyList<Tensor> _parameters = [];

        public Run Init()
        {
            var decayed = Model.NamedParameters().Where(p => p.Parameter.Rank == 2).Select(p => p.Parameter).ToArray();
            var plain = Model.NamedParameters().Where(p => p.Parameter.Rank != 2).Select(p => p.Parameter).ToArray();
            _parameters = Model.Parameters();
            Optimizer = new AdamW([new ParameterGroup(decayed, 0.01f), new ParameterGroup(plain, 0f)], new AdamWConfig());
            return this;
        }

        public float TrainStep()
        {
            for (var i = 0; i < _tokens.Length; i++)
            {
                _tokens[i] = Data.NextInt(config.VocabSize);
            }
            for (var i = 0; i < _labels.Length; i++)
            {
                _labels[i] = Data.NextInt(config.NumClasses);
            }
            _graph.Reset();
            Optimizer.ZeroGrad();
            var loss = Model.Loss(_graph, _tokens, _labels, 4, 8, _keep);
            _graph.Backward(loss);
            GradientClipping.ClipGlobalNorm(_parameters, 1.0);
            Optimizer.Step(Schedule.LearningRate(Step++));
            return loss.Data[0];
        }

        public byte[] WeightBytes() => Model.NamedParameters().SelectMany(p => p.Parameter.Data.ToArray().SelectMany(BitConverter.GetBytes)).ToArray();
    }

    [Fact]
    public void AWarmTrainingStepAllocatesNoManagedMemory()
    {
        var run = new Run(Config).Init();
        SteadyStateAllocation.AssertNone(() => run.TrainStep(), measuredRuns: 4);
    }

    [Fact]
    public void TheSameSeedGivesTheSameBytes()
    {
        var a = new Run(Config).Init();
        var b = new Run(Config).Init();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(a.TrainStep(), b.TrainStep());
        }
        Assert.Equal(a.WeightBytes(), b.WeightBytes());
        Assert.NotEqual(a.WeightBytes(), new Run(Config with { Seed = 4 }).Init().WeightBytes());
    }

    [Fact]
    public void ResumingFromACheckpointContinuesBitForBit()
    {
        var straight = new Run(Config).Init();
        for (var i = 0; i < 6; i++)
        {
            straight.TrainStep();
        }

        var first = new Run(Config).Init();
        for (var i = 0; i < 3; i++)
        {
            first.TrainStep();
        }
        var path = Path.Combine(Path.GetTempPath(), $"lodestar-resume-{Guid.NewGuid():N}.safetensors");
        try
        {
            ModelCheckpoint.Save(path, first.Model, "test.classifier", JsonSerializer.Serialize(Config),
                new TrainingSnapshot(first.Step, "{\"epoch\":1}", first.Optimizer, first.Data));
            // Fresh objects with scrambled weights: weights, moments, step, data RNG and dropout counters
            // must all come from the file (the dropout seeds come from the config, which the file records).
            var resumed = new Run(Config).Init();
            foreach (var parameter in resumed.Model.Parameters())
            {
                parameter.Data.Fill(0.5f);
            }
            var info = ModelCheckpoint.LoadTraining(path, resumed.Model, resumed.Optimizer, resumed.Data, "test.classifier");
            resumed.Step = (int)info.Step;
            Assert.Equal(3, info.Step);
            Assert.Equal("{\"epoch\":1}", info.StateJson);
            Assert.Contains("\"Dropout\":0.1", ModelCheckpoint.ReadHeader(path).ConfigJson, StringComparison.Ordinal);
            for (var i = 0; i < 3; i++)
            {
                resumed.TrainStep();
            }
            Assert.Equal(straight.WeightBytes(), resumed.WeightBytes());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CheckpointErrorsNameTheFileAndTensor()
    {
        var run = new Run(Config).Init();
        var path = Path.Combine(Path.GetTempPath(), $"lodestar-ckpt-{Guid.NewGuid():N}.safetensors");
        try
        {
            ModelCheckpoint.Save(path, run.Model, "test.classifier", JsonSerializer.Serialize(Config), new TrainingSnapshot(0, "{}", run.Optimizer));
            var other = new Run(Config with { Channels = 8 }).Init();
            var error = Assert.Throws<InvalidDataException>(() => ModelCheckpoint.LoadTraining(path, other.Model, other.Optimizer, null, "test.classifier"));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains("tok_emb.weight", error.Message, StringComparison.Ordinal);
            var wrongKind = Assert.Throws<InvalidDataException>(() => ModelCheckpoint.LoadWeights(path, run.Model, kind => kind == "seqrec.sasrec", "'seqrec.sasrec'"));
            Assert.Contains("'test.classifier'", wrongKind.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AdamWFollowsTorchFormulaWithDecoupledDecayAndGroups()
    {
        var decayed = Tensor.FromValues([1f], [1], requiresGrad: true);
        var plain = Tensor.FromValues([1f], [1], requiresGrad: true);
        var optimizer = new AdamW([new ParameterGroup([decayed], 0.1f), new ParameterGroup([plain], 0f, LearningRateScale: 0.5f)], new AdamWConfig { LearningRate = 0.1f });
        double p = 1, m = 0, v = 0;
        double q = 1, mq = 0, vq = 0;
        for (var t = 1; t <= 3; t++)
        {
            var g = 0.5 * t;
            decayed.Grad[0] = (float)g;
            plain.Grad[0] = (float)g;
            optimizer.Step();
            // torch.optim.AdamW: p ← p(1 − lr·wd); m, v moments; p ← p − lr·m̂/(√v̂ + eps).
            p *= 1 - (0.1 * 0.1);
            m = (0.9 * m) + (0.1 * g);
            v = (0.999 * v) + (0.001 * g * g);
            p -= 0.1 * (m / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(v / (1 - Math.Pow(0.999, t))) + 1e-8);
            mq = (0.9 * mq) + (0.1 * g);
            vq = (0.999 * vq) + (0.001 * g * g);
            q -= 0.05 * (mq / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(vq / (1 - Math.Pow(0.999, t))) + 1e-8);
        }
        Assert.Equal(p, decayed.Data[0], 1e-6);
        Assert.Equal(q, plain.Data[0], 1e-6);
    }

    [Fact]
    public void ClippingScheduleAndEmaFollowTheirFormulas()
    {
        var a = Tensor.FromValues([0f, 0f], [2], requiresGrad: true);
        a.Grad[0] = 3;
        a.Grad[1] = 4;
        Assert.Equal(5, GradientClipping.ClipGlobalNorm([a], 1.0), 6);
        Assert.Equal(1, Math.Sqrt((a.Grad[0] * a.Grad[0]) + (a.Grad[1] * a.Grad[1])), 5);
        Assert.Equal(1, GradientClipping.ClipGlobalNorm([a], 2.0), 5);

        var schedule = new WarmupCosineSchedule { PeakLearningRate = 1f, MinLearningRate = 0.1f, WarmupSteps = 4, TotalSteps = 14 }.Validate();
        Assert.Equal(0.25f, schedule.LearningRate(0));
        Assert.Equal(1f, schedule.LearningRate(3));
        Assert.Equal(1f, schedule.LearningRate(4));
        Assert.Equal(0.55f, schedule.LearningRate(9), 1e-6f);
        Assert.Equal(0.1f, schedule.LearningRate(14));
        Assert.Equal(0.1f, schedule.LearningRate(100));
        Assert.Throws<InvalidConfigException>(() => new WarmupCosineSchedule { WarmupSteps = 10, TotalSteps = 5 }.Validate());

        var w = Tensor.FromValues([1f], [1], requiresGrad: true);
        var ema = new ExponentialMovingAverage([w], 0.9f);
        w.Data[0] = 2f;
        ema.Update();
        Assert.Equal(1.1f, ema.Shadow[0][0], 1e-6f);
        ema.CopyTo();
        Assert.Equal(1.1f, w.Data[0], 1e-6f);
    }
}
