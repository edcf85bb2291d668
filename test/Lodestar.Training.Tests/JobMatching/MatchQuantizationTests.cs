// Int8 inference of a trained match model: the body's linear layers on int8 weights with calibrated input ranges, the
// head in float32, scores close to float32 ones; the head quantized on request; an empty calibration set refused.
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
