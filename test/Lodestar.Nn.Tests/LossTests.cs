// Losses: finite-difference gradient checks, PyTorch golden values (KL distillation, cosine InfoNCE) and
// the identities each must satisfy (KL of equal distributions is 0, sampled softmax with every item equals
// full softmax, accidental hits are masked).
using Lodestar.Tensors;
using Lodestar.Tensors.Serialization;
using Lodestar.Tensors.Tests;
using Lodestar.TestSupport;

namespace Lodestar.Nn.Tests;

public sealed class LossTests
{
    [Fact]
    public void LossGradientsMatchFiniteDifferences()
    {
        var a = (GradCheck.Random(4 * 6, 1, scale: 2f), new[] { 4, 6 });
        var b = (GradCheck.Random(4 * 6, 2, scale: 2f), new[] { 4, 6 });
        var extra = (GradCheck.Random(3 * 6, 3), new[] { 3, 6 });
        GradCheck.Check((g, t) => Losses.Mse(g, t[0], t[1]), [a, b]);
        GradCheck.Check((g, t) => Losses.DistillationKl(g, t[0], t[1], 2f), [a, b]);
        GradCheck.Check((g, t) => Losses.InfoNce(g, t[0], t[1], t[2], 0.5f), [a, b, extra]);
        GradCheck.Check((g, t) => Losses.InfoNce(g, t[0], t[1], null, 0.5f, cosine: true), [a, b]);
        var excluded = new bool[4 * 5];
        (excluded[(0 * 5) + 3], excluded[(2 * 5) + 0], excluded[(3 * 5) + 4]) = (true, true, true);
        GradCheck.Check((g, t) => Losses.InfoNce(g, t[0], t[1], [1, 0, 4, 2], excluded, 0.5f), [a, (GradCheck.Random(5 * 6, 5), [5, 6])]);
        GradCheck.Check((g, t) => Losses.SampledSoftmax(g, t[0], t[1], [1, 0, 4, 2], [3, 4, 2], [-1f, -1.5f, -2f, -1f], [-1.2f, -0.7f, -2f]),
            [a, (GradCheck.Random(5 * 6, 4), [5, 6])]);
    }

    [Fact]
    public void DistillationAndInfoNceMatchPyTorch()
    {
        using var file = SafeTensorsFile.Read(RepoPaths.Golden("ops.safetensors"));
        var graph = new Graph();
        var student = graph.Constant(file.GetFloat32("kl_temperature.student"), [6, 5], requiresGrad: true);
        var teacher = graph.Constant(file.GetFloat32("kl_temperature.teacher"), [6, 5], requiresGrad: true);
        var kl = Losses.DistillationKl(graph, student, teacher, file.GetFloat32("kl_temperature.temperature")[0]);
        GoldenAssert.Close("kl.out", kl.Data, file.GetFloat32("kl_temperature.out"), 1e-5);
        graph.Backward(kl);
        GoldenAssert.Close("kl.grad.student", student.Grad, file.GetFloat32("kl_temperature.grad.student"), 1e-5);
        GoldenAssert.Close("kl.grad.teacher", teacher.Grad, file.GetFloat32("kl_temperature.grad.teacher"), 1e-5);

        var query = graph.Constant(file.GetFloat32("infonce.query"), [6, 16], requiresGrad: true);
        var key = graph.Constant(file.GetFloat32("infonce.key"), [6, 16], requiresGrad: true);
        var nce = Losses.InfoNce(graph, query, key, null, file.GetFloat32("infonce.temperature")[0], cosine: true);
        GoldenAssert.Close("infonce.out", nce.Data, file.GetFloat32("infonce.out"), 1e-5);
        graph.Backward(nce);
        GoldenAssert.Close("infonce.grad.query", query.Grad, file.GetFloat32("infonce.grad.query"), 1e-4);
        GoldenAssert.Close("infonce.grad.key", key.Grad, file.GetFloat32("infonce.grad.key"), 1e-4);
    }

    [Fact]
    public void AnExcludedCandidateCountsAsIfItWereNotThere()
    {
        // Row 0's positive is column 1; column 3 is excluded for row 0 only. Row 0's loss equals the loss over the
        // candidate set without column 3, and row 1 still sees every column.
        var graph = new Graph(recordGradients: false);
        var queries = graph.Constant(GradCheck.Random(2 * 4, 6, scale: 2f), [2, 4]);
        var all = GradCheck.Random(4 * 4, 7, scale: 2f);
        var excluded = new bool[2 * 4];
        excluded[3] = true;
        var masked = Losses.InfoNce(graph, queries, graph.Constant(all, [4, 4]), [1, 2], excluded, 0.3f).Data[0];
        var row0 = Losses.InfoNce(graph, graph.Constant(queries.Data[..4], [1, 4]), graph.Constant(all[..12], [3, 4]), [1], [], 0.3f).Data[0];
        var row1 = Losses.InfoNce(graph, graph.Constant(queries.Data[4..], [1, 4]), graph.Constant(all, [4, 4]), [2], [], 0.3f).Data[0];
        Assert.Equal((row0 + row1) / 2, masked, 1e-5f);
        Assert.Throws<ArgumentException>(() => Losses.InfoNce(graph, queries, graph.Constant(all, [4, 4]), [3, 2], excluded, 0.3f));
    }

    [Fact]
    public void KlOfEqualDistributionsIsZero()
    {
        var graph = new Graph(recordGradients: false);
        var logits = graph.Constant(GradCheck.Random(12, 5, scale: 3f), [3, 4]);
        Assert.Equal(0f, Losses.DistillationKl(graph, logits, logits, 3f).Data[0], 1e-6f);
    }

    [Fact]
    public void SampledSoftmaxOverEveryItemWithUniformQEqualsFullSoftmax()
    {
        // Negatives = all other items, uniform Q: the logQ terms are equal constants and cancel in the softmax,
        // and the accidental hit (the positive among the negatives) is masked, leaving exactly the full softmax.
        var graph = new Graph(recordGradients: false);
        var queries = graph.Constant(GradCheck.Random(2 * 4, 6), [2, 4]);
        var items = graph.Constant(GradCheck.Random(5 * 4, 7), [5, 4]);
        int[] positives = [3, 1];
        int[] negatives = [0, 1, 2, 3, 4];
        var logQ = MathF.Log(0.2f);
        var sampled = Losses.SampledSoftmax(graph, queries, items, positives, negatives, [logQ, logQ], Enumerable.Repeat(logQ, 5).ToArray());
        var full = graph.CrossEntropy(graph.MatMul(queries, items, transposeB: true), positives);
        Assert.Equal(full.Data[0], sampled.Data[0], 1e-5f);
    }
}
