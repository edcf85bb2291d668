// The student's multi-teacher distillation loss against central finite differences, and its parts
// switching off with their weights.
using Lodestar.Models.JobMatching;
using Lodestar.Tensors;
using Lodestar.Training.JobMatching;

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
