// Int8 inference of a trained match model: the body's linear layers on int8 weights with calibrated input ranges, the
// head in float32, scores close to float32 ones; the head quantized on request; an empty calibration set refused; a
// low-precision checkpoint that loads to the same scores and is refused by another architecture by name.
using Lodestar.Features.JobMatching;
using Lodestar.Models.JobMatching;
using Lodestar.Training.JobMatching;

namespace Lodestar.Training.Tests.JobMatching;

public class MatchQuantizationTests(TinyMatchWorld world) : IClassFixture<TinyMatchWorld>
{
    [Fact]
    public void AnInt8BodyWithAFloatHeadScoresCloseToFloat32()
    {
        var config = world.In("int8").WithTraining(t => t with { Epochs = 8, Patience = 8, LearningRate = 1e-2f });
        new MatchTrainer(MatchRole.PolicyTeacher, config, world.Data).Train();
        var model = MatchModel.Load(Path.Combine(config.RunDirectory(MatchRole.PolicyTeacher), MatchModel.BestFile));
        var test = world.Data.In(MatchSplit.Test).ToList();
        var calibration = world.Data.In(MatchSplit.Validation).ToList();
        var full = MatchScorer.Predict(model, test);

        var quantized = MatchQuantization.QuantizeInt8(model, calibration);
        Assert.Contains("encoder.blocks.0.attn.qkv", quantized);
        Assert.DoesNotContain("encoder.head", quantized);
        Assert.Null(model.Encoder.Head.LowPrecision);
        var body = MatchScorer.Predict(model, test);
        var (overall, width) = (model.Layout.OverallColumn, model.Layout.Width);
        double[] Column(float[] logits) => [.. Enumerable.Range(0, test.Count).Select(i => (double)logits[(i * width) + overall])];
        var (reference, int8) = (Column(full), Column(body));
        var correlation = Pearson(reference, int8);
        var largest = reference.Zip(int8).Max(p => Math.Abs(p.First - p.Second));
        var spread = reference.Max() - reference.Min();
        Assert.True(correlation > 0.999 && largest < 0.05 * spread, $"int8 body: correlation {correlation:F5}, largest difference {largest:F4} of a {spread:F3} spread");
        Assert.NotEqual(full, body);

        // bf16 weights need no calibration and stay closer still.
        Assert.Equal(quantized, MatchQuantization.ToBf16(model));
        var bf16 = Column(MatchScorer.Predict(model, test));
        var bf16Largest = reference.Zip(bf16).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(Pearson(reference, bf16) > 0.999 && bf16Largest < 0.05 * spread, $"bf16 body: largest difference {bf16Largest:F4}");

        var everything = MatchQuantization.QuantizeInt8(model, calibration, includeHead: true);
        Assert.Contains("encoder.head", everything);
        Assert.NotNull(model.Encoder.Head.LowPrecision);
        MatchQuantization.DropLowPrecision(model);
        Assert.Equal(full, MatchScorer.Predict(model, test));

        var error = Assert.Throws<ArgumentException>(() => MatchQuantization.QuantizeInt8(model, []));
        Assert.Contains("calibration set is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALowPrecisionCheckpointLoadsToTheScoresItWasSavedWith()
    {
        var config = world.In("int8-checkpoint").WithTraining(t => t with { Epochs = 2 });
        new MatchTrainer(MatchRole.PolicyTeacher, config, world.Data).Train();
        var best = Path.Combine(config.RunDirectory(MatchRole.PolicyTeacher), MatchModel.BestFile);
        var test = world.Data.In(MatchSplit.Test).ToList();
        foreach (var precision in new[] { "int8", "bf16" })
        {
            var model = MatchModel.Load(best);
            var quantized = precision == "int8" ? MatchQuantization.QuantizeInt8(model, world.Data.In(MatchSplit.Validation).ToList()) : MatchQuantization.ToBf16(model);
            var scores = MatchScorer.Predict(model, test);
            var path = Path.Combine(world.Root, $"{precision}.safetensors");
            model.Save(path, lowPrecision: true);

            var loaded = MatchModel.Load(path);
            Assert.All(quantized, name => Assert.Equal(precision, ((Lodestar.Nn.Linear)loaded.NamedModules().Single(m => m.Name == name).Module).LowPrecision?.Kind));
            Assert.Null(loaded.Encoder.Head.LowPrecision);
            Assert.Equal(scores, MatchScorer.Predict(loaded, test));
            Assert.True(new FileInfo(path).Length < new FileInfo(best).Length, $"{precision} checkpoint is not smaller than float32's");
            // Without the int8 layers the model scores with the float32 values the codes stand for, its inputs unquantized.
            if (precision == "int8")
            {
                MatchQuantization.DropLowPrecision(loaded);
                Assert.NotEqual(scores, MatchScorer.Predict(loaded, test));
            }

            var wider = new MatchModel(MatchRole.PolicyTeacher, model.Config with { FeedForward = model.Config.FeedForward * 2 }, world.Data.VocabSize, world.Data.Layout);
            var error = Assert.Throws<InvalidDataException>(() => wider.LoadWeights(path));
            Assert.Contains($"tensor 'encoder.blocks.0.mlp.fc1.weight' holds {precision} weights of shape ({model.Config.FeedForward}, {model.Config.Channels}), " +
                $"the model's layer is ({model.Config.FeedForward * 2}, {model.Config.Channels})", error.Message, StringComparison.Ordinal);
        }
        // A checkpoint whose quantized layers the model lacks: the student layout's embedding projection, into a model without one.
        var projected = Path.Combine(world.Root, "projected.safetensors");
        var withProjection = new MatchModel(MatchRole.PolicyTeacher, config.Model with { EmbeddingChannels = config.Model.Channels / 2 }, world.Data.VocabSize, world.Data.Layout);
        MatchQuantization.QuantizeInt8(withProjection, world.Data.In(MatchSplit.Validation).ToList());
        withProjection.Save(projected, lowPrecision: true);
        var missing = Assert.Throws<InvalidDataException>(() => MatchModel.Load(best).LoadWeights(projected));
        Assert.Contains("holds int8 weights for 'encoder.emb_proj.weight', which is not a linear layer's weight in this model", missing.Message, StringComparison.Ordinal);
    }

    private static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var (mx, my) = (x.Average(), y.Average());
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Count; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }
}
