// Losses of the match models: the policy teacher's per-dimension cross-entropy plus overall BCE, the
// click teacher's apply BCE, and the student's multi-teacher distillation (Hinton et al. 2015: KL of
// temperature-softened outputs scaled by T²) plus optional hard labels, with per-teacher weights.
using Lodestar.Core;
using Lodestar.Models.JobMatching;
using Lodestar.Nn;
using Lodestar.Tensors;
using Lodestar.Features.JobMatching;

namespace Lodestar.Training.JobMatching;

public sealed record DistillationConfig
{
    /// <summary>Softening temperature T of both teachers' outputs (losses are scaled by T²).</summary>
    public float Temperature { get; init; } = 2f;

    /// <summary>Weight of the policy teacher's soft targets (0: the student never sees it).</summary>
    public float PolicyTeacherWeight { get; init; } = 1f;

    /// <summary>Weight of the click teacher's soft targets.</summary>
    public float ClickTeacherWeight { get; init; } = 1f;

    /// <summary>Weight of the hard labels (policy levels/overall and apply) where an example has them.</summary>
    public float HardLabelWeight { get; init; } = 0.5f;

    /// <summary>
    /// Days of views, counted back from the data set's last day, whose apply labels the student trains on (0: every
    /// view). Earlier views stay in the student's data, taught by the teachers alone: the click teacher learned from the
    /// whole engagement log, the student's own labels are a recent window of it.
    /// </summary>
    /// <remarks>Written to JSON only when set, so configs and recipe hashes of runs without it are unchanged.</remarks>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public int ApplyLabelDays { get; init; }

    public DistillationConfig Validate()
    {
        this.Require(Temperature > 0f, Temperature, "must be positive");
        this.Require(ApplyLabelDays >= 0, ApplyLabelDays, "must not be negative (0: every view's apply label)");
        this.Require(PolicyTeacherWeight >= 0f, PolicyTeacherWeight, "must not be negative");
        this.Require(ClickTeacherWeight >= 0f, ClickTeacherWeight, "must not be negative");
        this.Require(HardLabelWeight >= 0f, HardLabelWeight, "must not be negative");
        this.Require(PolicyTeacherWeight + ClickTeacherWeight + HardLabelWeight > 0f, HardLabelWeight,
            "must be positive when PolicyTeacherWeight and ClickTeacherWeight are 0: nothing to learn from");
        return this;
    }
}

/// <summary>Teacher logits (B, Width) for a batch, or null for a teacher the student does not use.</summary>
public sealed record TeacherBatch(float[]? PolicyLogits, float[]? ClickLogits);

public static class MatchLoss
{
    /// <summary>Policy teacher: mean over dimensions of cross-entropy on the level, plus BCE of the overall score, on labeled rows.</summary>
    public static Tensor? PolicyHard(Graph graph, Tensor logits, MatchOutputLayout layout, IReadOnlyList<MatchExample> batch)
    {
        var rows = batch.Count;
        var labeled = batch.Count(e => e.PolicyLevels is not null);
        if (labeled == 0)
        {
            return null;
        }
        Tensor? loss = null;
        var labels = new int[rows];
        for (var d = 0; d < layout.DimensionLevels.Count; d++)
        {
            for (var i = 0; i < rows; i++)
            {
                labels[i] = batch[i].PolicyLevels is { } levels ? levels[d] : -100;
            }
            var ce = graph.CrossEntropy(Columns(graph, logits, layout.DimensionOffsets[d], layout.DimensionLevels[d]), (int[])labels.Clone());
            loss = loss is null ? ce : graph.Add(loss, ce);
        }
        loss = graph.Scale(loss!, 1f / layout.DimensionLevels.Count);
        var targets = new float[rows];
        var weights = new float[rows];
        for (var i = 0; i < rows; i++)
        {
            if (batch[i].PolicyLevels is not null)
            {
                targets[i] = batch[i].PolicyOverall;
                weights[i] = (float)rows / labeled;
            }
        }
        return graph.Add(loss, Bce(graph, Columns(graph, logits, layout.OverallColumn, 1), targets, weights));
    }

    /// <summary>Click teacher: BCE of the apply logit on viewed pairs (those viewed on or after fromDay).</summary>
    public static Tensor? ApplyHard(Graph graph, Tensor logits, MatchOutputLayout layout, IReadOnlyList<MatchExample> batch, int fromDay = int.MinValue)
    {
        bool Labelled(MatchExample e) => e.Applied >= 0 && e.Day >= fromDay;
        var rows = batch.Count;
        var labeled = batch.Count(Labelled);
        if (labeled == 0)
        {
            return null;
        }
        var targets = new float[rows];
        var weights = new float[rows];
        for (var i = 0; i < rows; i++)
        {
            if (Labelled(batch[i]))
            {
                targets[i] = batch[i].Applied;
                weights[i] = (float)rows / labeled;
            }
        }
        return Bce(graph, Columns(graph, logits, layout.ApplyColumn, 1), targets, weights);
    }

    /// <summary>
    /// Student: w_policy·(mean over dimensions of T²·KL(softmax(t_d/T) ‖ softmax(s_d/T)) + T²·BCE(s_o/T, σ(t_o/T)))
    /// + w_click·T²·BCE(s_a/T, σ(t_a/T)) + w_hard·(policy and apply hard losses, apply only on views on or after
    /// applyLabelsFromDay). The Bernoulli KL differs from that BCE by the teacher's entropy, a constant, so gradients
    /// are the KL's.
    /// </summary>
    public static Tensor Student(Graph graph, Tensor logits, MatchOutputLayout layout, IReadOnlyList<MatchExample> batch, TeacherBatch teachers, DistillationConfig config, int applyLabelsFromDay = int.MinValue)
    {
        var rows = batch.Count;
        var t = config.Temperature;
        Tensor? loss = null;
        if (teachers.PolicyLogits is { } policy && config.PolicyTeacherWeight > 0f)
        {
            var teacher = graph.Constant(policy, [rows, layout.Width]);
            Tensor? kl = null;
            for (var d = 0; d < layout.DimensionLevels.Count; d++)
            {
                var term = Losses.DistillationKl(graph,
                    Columns(graph, logits, layout.DimensionOffsets[d], layout.DimensionLevels[d]),
                    Columns(graph, teacher, layout.DimensionOffsets[d], layout.DimensionLevels[d]), t);
                kl = kl is null ? term : graph.Add(kl, term);
            }
            var overall = SoftBce(graph, logits, policy, layout.OverallColumn, layout.Width, rows, t);
            loss = Add(graph, loss, graph.Scale(graph.Add(graph.Scale(kl!, 1f / layout.DimensionLevels.Count), overall), config.PolicyTeacherWeight));
        }
        if (teachers.ClickLogits is { } click && config.ClickTeacherWeight > 0f)
        {
            loss = Add(graph, loss, graph.Scale(SoftBce(graph, logits, click, layout.ApplyColumn, layout.Width, rows, t), config.ClickTeacherWeight));
        }
        if (config.HardLabelWeight > 0f)
        {
            foreach (var hard in new[] { PolicyHard(graph, logits, layout, batch), ApplyHard(graph, logits, layout, batch, applyLabelsFromDay) })
            {
                if (hard is not null)
                {
                    loss = Add(graph, loss, graph.Scale(hard, config.HardLabelWeight));
                }
            }
        }
        return loss ?? throw new InvalidOperationException("the student batch has no teacher outputs and no hard labels: nothing to learn from (check the distillation weights)");
    }

    /// <summary>T²·mean BCE(s/T, σ(t/T)) for one logit column.</summary>
    private static Tensor SoftBce(Graph graph, Tensor logits, float[] teacher, int column, int width, int rows, float t)
    {
        var targets = new float[rows];
        for (var i = 0; i < rows; i++)
        {
            targets[i] = 1f / (1f + MathF.Exp(-teacher[(i * width) + column] / t));
        }
        var student = graph.Scale(Columns(graph, logits, column, 1), 1f / t);
        return graph.Scale(graph.BceWithLogits(student, graph.Constant(targets, [rows, 1])), t * t);
    }

    private static Tensor Bce(Graph graph, Tensor logits, float[] targets, float[] weights) =>
        graph.BceWithLogits(logits, graph.Constant(targets, [targets.Length, 1]), graph.Constant(weights, [weights.Length, 1]));

    private static Tensor Columns(Graph graph, Tensor logits, int start, int count) =>
        graph.Contiguous(graph.Slice(logits, 1, start, count));

    private static Tensor Add(Graph graph, Tensor? a, Tensor b) => a is null ? b : graph.Add(a, b);
}
