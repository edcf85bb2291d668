// Scores member–job examples with a match model, without the trainer: batches formed over the examples
// sorted by real length and cut to their longest pair, so little padding is computed. Training packs its
// batches with the same Pack, so a pair reaches the model in the same form at training and at scoring time.
using Lodestar.Models.JobMatching;
using Lodestar.Tensors;

namespace Lodestar.Features.JobMatching;

/// <summary>A job as a match model scores it for a member: σ of the overall head (the policy's overall score on
/// [0,1]) and σ of the apply head (uncalibrated apply probability).</summary>
public sealed record JobScore(long JobId, string Title, float Overall, float Apply);

public static class MatchScorer
{
    /// <summary>
    /// Scores <paramref name="jobIds"/> (every job of the world when null) for a member as of the world's last day,
    /// best overall first (ties: lower job id first): the walk "the student scores a member's jobs".
    /// </summary>
    public static IReadOnlyList<JobScore> ScoreJobs(MatchModel model, MatchPrompts prompts, long memberId, IReadOnlyList<long>? jobIds = null)
    {
        var world = prompts.World;
        if (!world.Members.ContainsKey(memberId))
        {
            throw new ArgumentException($"member {memberId} is not in the world {world.Directory}");
        }
        var jobs = jobIds ?? [.. world.Jobs.Keys.Order()];
        var missing = jobs.Where(j => !world.Jobs.ContainsKey(j)).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"job {missing[0]} is not in the world {world.Directory}");
        }
        // An unlabelled pair seen now: history and counters from every event of the world (time +∞), as the
        // training set shows the pairs nobody viewed. Its split and labels are not read by the model.
        var examples = jobs.Select(jobId => MatchExample.Unlabelled(memberId, jobId, prompts.Encode(memberId, jobId, long.MaxValue, world.LastDay), world.LastDay)).ToList();
        var logits = Predict(model, examples);
        var layout = model.Layout;
        return [.. jobs.Select((jobId, i) =>
            {
                var (overall, apply) = Heads(layout, logits.AsSpan(i * layout.Width, layout.Width));
                return new JobScore(jobId, world.Job(jobId).Title, overall, apply);
            })
            .OrderByDescending(s => s.Overall).ThenBy(s => s.JobId)];
    }

    /// <summary>A pair's overall score on [0,1] and apply probability from its row of logits (σ of the two heads).</summary>
    public static (float Overall, float Apply) Heads(MatchOutputLayout layout, ReadOnlySpan<float> row) =>
        (Sigmoid(row[layout.OverallColumn]), Sigmoid(row[layout.ApplyColumn]));

    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>
    /// Logits (N, Layout.Width) row-major for the examples, in the given order. Batches are formed over the
    /// examples sorted by real length and each is cut to its longest pair, so little padding is computed.
    /// </summary>
    public static float[] Predict(MatchModel model, IReadOnlyList<MatchExample> examples, int batchSize = 64)
    {
        model.Eval();
        var width = model.Layout.Width;
        var output = new float[examples.Count * width];
        using var lease = InferenceGraphs.Rent();
        var graph = lease.Graph;
        var order = ByLength(examples);
        var rows = new MatchExample[Math.Min(batchSize, examples.Count)];
        for (var start = 0; start < examples.Count; start += batchSize)
        {
            var count = Math.Min(batchSize, examples.Count - start);
            for (var i = 0; i < count; i++)
            {
                rows[i] = examples[order[start + i]];
            }
            var (tokens, keep, length) = Pack(rows, 0, count, model.Config.MaxTokens);
            graph.Reset();
            var logits = model.Forward(graph, tokens, count, length, keep, MemberLengths(rows, 0, count)).Data;
            for (var i = 0; i < count; i++)
            {
                logits.Slice(i * width, width).CopyTo(output.AsSpan(order[start + i] * width, width));
            }
        }
        return output;
    }

    /// <summary>
    /// Logits (N, Layout.Width) row-major of N jobs for one member in one pass (MatchModel.ScoreCandidates): the member's
    /// tokens (MatchPrompts.EncodeMember) once, then each job's (MatchPrompts.EncodeJob). Needs a model that isolates the member.
    /// </summary>
    public static float[] PredictCandidates(MatchModel model, int[] member, IReadOnlyList<int[]> jobs)
    {
        model.Eval();
        using var lease = InferenceGraphs.Rent();
        return model.ScoreCandidates(lease.Graph, member, jobs).Data.ToArray();
    }

    /// <summary>The member tokens (MatchExample.MemberTokens) of examples [start, start+count), for a model that isolates the member.</summary>
    public static int[] MemberLengths(IReadOnlyList<MatchExample> examples, int start, int count)
    {
        var lengths = new int[count];
        for (var i = 0; i < count; i++)
        {
            lengths[i] = examples[start + i].MemberTokens;
        }
        return lengths;
    }

    /// <summary>Indices of the examples ordered by real token count (stable, so ties keep their order).</summary>
    public static int[] ByLength(IReadOnlyList<MatchExample> examples) =>
        Enumerable.Range(0, examples.Count).OrderBy(i => RealTokens(examples[i])).ToArray();

    /// <summary>Real tokens of a pair: its keep flags are a prefix of ones.</summary>
    public static int RealTokens(MatchExample example) => example.Keep.Length - example.Keep.AsSpan().Count((byte)0);

    /// <summary>
    /// Tokens and keep flags (B·L) of examples [start, start+count), cut to L, the longest real length among them
    /// (the rest of each pair's MaxTokens slots is padding no real token attends to).
    /// </summary>
    public static (int[] Tokens, byte[] Keep, int Length) Pack(IReadOnlyList<MatchExample> examples, int start, int count, int maxTokens)
    {
        var length = 1;
        for (var i = 0; i < count; i++)
        {
            var example = examples[start + i];
            if (example.Tokens.Length != maxTokens || example.Keep.Length != maxTokens)
            {
                throw new ArgumentException($"example ({example.MemberId},{example.JobId}) has {example.Tokens.Length} tokens, the model takes {maxTokens}");
            }
            length = Math.Max(length, RealTokens(example));
        }
        var tokens = new int[count * length];
        var keep = new byte[count * length];
        for (var i = 0; i < count; i++)
        {
            var example = examples[start + i];
            example.Tokens.AsSpan(0, length).CopyTo(tokens.AsSpan(i * length));
            example.Keep.AsSpan(0, length).CopyTo(keep.AsSpan(i * length));
        }
        return (tokens, keep, length);
    }
}
