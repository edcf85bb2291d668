// The student's multi-teacher distillation loss against central finite differences, and its parts
// switching off with their weights.
using Lodestar.Core;
using Lodestar.Models.JobMatching;
using Lodestar.Tensors;
using Lodestar.Training.JobMatching;
using Lodestar.Training.Loop;
using Lodestar.Features.JobMatching;

namespace Lodestar.Training.Tests.JobMatching;

public class DistillationLossTests
{
    private static readonly MatchOutputLayout Layout = new([3, 2]);

    [Fact]
    public void GradientMatchesFiniteDifferences()
    {
        var random = new Random(11);
        const int rows = 4;
        var values = Enumerable.Range(0, rows * Layout.Width).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var policy = Enumerable.Range(0, rows * Layout.Width).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var click = Enumerable.Range(0, rows * Layout.Width).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var batch = new List<MatchExample>
        {
            Example([2, 1], 0.8f, 1),
            Example(null, float.NaN, 0),
            Example([0, 0], 0.1f, -1),
            Example(null, float.NaN, -1),
        };
        var config = new DistillationConfig { Temperature = 2f, PolicyTeacherWeight = 0.7f, ClickTeacherWeight = 1.3f, HardLabelWeight = 0.5f };
        var teachers = new TeacherBatch(policy, click);

        var graph = new Graph();
        var logits = Tensor.FromValues(values, [rows, Layout.Width], requiresGrad: true);
        var loss = MatchLoss.Student(graph, logits, Layout, batch, teachers, config);
        graph.Backward(loss);
        var analytic = logits.Grad.ToArray();

        const float h = 1e-2f;
        for (var i = 0; i < values.Length; i++)
        {
            var plus = Evaluate(values, i, h, batch, teachers, config);
            var minus = Evaluate(values, i, -h, batch, teachers, config);
            var numeric = (plus - minus) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[i]) < 2e-3 + (0.02 * Math.Abs(numeric)), $"element {i}: analytic {analytic[i]}, numeric {numeric}");
        }
    }

    [Fact]
    public void TeacherTermsVanishWhenTheStudentMatchesTheTeacher()
    {
        var random = new Random(5);
        var teacher = Enumerable.Range(0, 2 * Layout.Width).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var batch = new List<MatchExample> { Example(null, float.NaN, -1), Example(null, float.NaN, -1) };
        var graph = new Graph(recordGradients: false);
        var config = new DistillationConfig { HardLabelWeight = 0f, ClickTeacherWeight = 0f };
        var kl = MatchLoss.Student(graph, Tensor.FromValues(teacher, [2, Layout.Width]), Layout, batch, new TeacherBatch(teacher, null), config).Data[0];
        // Only the overall term remains: T²·BCE(t/T, σ(t/T)) is the Bernoulli entropy, not zero; the KL parts are.
        var entropy = 0.0;
        for (var r = 0; r < 2; r++)
        {
            var p = 1 / (1 + Math.Exp(-teacher[(r * Layout.Width) + Layout.OverallColumn] / 2));
            entropy += -((p * Math.Log(p)) + ((1 - p) * Math.Log(1 - p))) / 2;
        }
        Assert.Equal(4 * entropy, kl, 4);
    }

    [Fact]
    public void OnlyViewsInsideTheLabelWindowTeachApplyByLabel()
    {
        // Without teachers and policy labels the loss is the apply BCE over the labelled rows: a view from before
        // the window counts exactly like a pair nobody viewed.
        var logits = new float[2 * Layout.Width];
        logits[Layout.Width + Layout.ApplyColumn] = -1.2f;
        var config = new DistillationConfig { PolicyTeacherWeight = 0, ClickTeacherWeight = 0, HardLabelWeight = 1 };
        var old = Example(null, float.NaN, 1) with { Day = 3 };
        var recent = Example(null, float.NaN, 0) with { Day = 9 };
        double Loss(List<MatchExample> batch, int fromDay) =>
            MatchLoss.Student(new Graph(recordGradients: false), Tensor.FromValues(logits[..(batch.Count * Layout.Width)].ToArray(), [batch.Count, Layout.Width]), Layout, batch, new TeacherBatch(null, null), config, fromDay).Data[0];
        var recentOnly = Math.Log(1 + Math.Exp(-1.2));
        Assert.Equal(recentOnly, Loss([old, recent], fromDay: 4), 5);
        Assert.Equal(Loss([old with { Applied = -1 }, recent], int.MinValue), Loss([old, recent], fromDay: 4), 6);
        // The window's first day is inside it; with no window both views teach.
        var both = (Math.Log(2) + recentOnly) / 2;
        Assert.Equal(both, Loss([old, recent], fromDay: 3), 5);
        Assert.Equal(both, Loss([old, recent], int.MinValue), 5);
        Assert.Throws<InvalidOperationException>(() => Loss([old], fromDay: 4));
        Assert.Throws<InvalidConfigException>(() => new DistillationConfig { ApplyLabelDays = -1 }.Validate());
    }

    private static double Evaluate(float[] values, int index, float delta, List<MatchExample> batch, TeacherBatch teachers, DistillationConfig config)
    {
        var copy = values.ToArray();
        copy[index] += delta;
        var graph = new Graph(recordGradients: false);
        return MatchLoss.Student(graph, Tensor.FromValues(copy, [batch.Count, Layout.Width]), Layout, batch, teachers, config).Data[0];
    }

    private static MatchExample Example(int[]? levels, float overall, int applied) =>
        new(1, 1, MatchSplit.Train, new int[8], new byte[8], levels, overall, applied, float.NaN);
}
