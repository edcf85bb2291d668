// The match model presets and encoder: the student stays over 10× smaller than the policy teacher, the FLOP
// count behind the reported GFLOP/s is worked out by hand, and the factorized embedding learns.
using Lodestar.Models.JobMatching;
using Lodestar.Nn.Optim;
using Lodestar.Tensors;

namespace Lodestar.Models.Tests;

public class MatchModelTests
{
    // Six policy dimensions of 3 to 5 levels, like policies/job-matching.yaml: 24 level logits + overall + apply.
    private static readonly MatchOutputLayout Layout = new([5, 4, 3, 3, 4, 5]);

    [Fact]
    public void StudentPresetHasOverTenTimesFewerParametersThanTheTeacher()
    {
        var teacher = new MatchModel(MatchRole.PolicyTeacher, MatchModelConfig.Teacher, 1024, Layout);
        var student = new MatchModel(MatchRole.Student, MatchModelConfig.Student, 1024, Layout);
        Assert.True(teacher.ParameterCount >= 10 * student.ParameterCount, $"teacher {teacher.ParameterCount:N0} vs student {student.ParameterCount:N0}");
        Assert.Contains(student.NamedParameters(), p => p.Name == "encoder.emb_proj.weight");
        Assert.DoesNotContain(teacher.NamedParameters(), p => p.Name == "encoder.emb_proj.weight");
    }

    [Fact]
    public void ForwardFlopsCountsEveryMultiplyAddOfTheBatch()
    {
        var config = new MatchModelConfig { Channels = 8, Heads = 2, FeedForward = 16, Layers = 2, MaxTokens = 8, EmbeddingChannels = 4 };
        var model = new MatchModel(MatchRole.Student, config, 50, Layout);
        var keep = new byte[16];
        keep.AsSpan(0, 5).Fill(1);
        keep.AsSpan(8, 8).Fill(1);
        // B·T = 16 rows. Projection 4→8: 2·16·32 = 1024. Per layer: QKV + output 2·16·4·64 = 8192, MLP 2·16·2·128 = 8192,
        // attention 2·2·8·(8 queries × (5 + 8) keys) = 3328. Head 2·2·8·26 = 832.
        Assert.Equal(1024 + (2 * (8192 + 8192 + 3328)) + 832, model.ForwardFlops(keep, 2));
    }

    [Fact]
    public void FactorizedEncoderLearnsAToyLabelFromTokens()
    {
        // The apply logit must learn "token 3 present": a handful of AdamW steps drive the loss well down.
        var config = new MatchModelConfig { Channels = 16, Heads = 2, FeedForward = 32, Layers = 1, MaxTokens = 8, EmbeddingChannels = 4, Seed = 3 };
        var model = new MatchModel(MatchRole.Student, config, 20, Layout);
        var random = new SeededRandom(5);
        var tokens = new int[16 * 8];
        var keep = new byte[16 * 8];
        var targets = new float[16];
        for (var b = 0; b < 16; b++)
        {
            for (var t = 0; t < 6; t++)
            {
                tokens[(b * 8) + t] = 4 + (int)(random.NextUInt64() % 16);
                keep[(b * 8) + t] = 1;
            }
            targets[b] = b % 2;
            tokens[(b * 8) + 2] = b % 2 == 1 ? 3 : tokens[(b * 8) + 2];
        }
        var optimizer = new AdamW(model.Parameters(), new AdamWConfig { LearningRate = 1e-2f, WeightDecay = 0 });
        var graph = new Graph();
        float Step()
        {
            graph.Reset();
            var logits = model.Forward(graph, tokens, 16, keep);
            var apply = graph.Contiguous(graph.Slice(logits, 1, Layout.ApplyColumn, 1));
            var loss = graph.BceWithLogits(apply, graph.Constant(targets, [16, 1]));
            model.ZeroGrad();
            graph.Backward(loss);
            optimizer.Step(1e-2f);
            return loss.Data[0];
        }
        var first = Step();
        var last = first;
        for (var i = 0; i < 60; i++)
        {
            last = Step();
        }
        Assert.True(last < 0.3f * first, $"loss {first} → {last}");
        var projection = model.NamedParameters().Single(p => p.Name == "encoder.emb_proj.weight").Parameter;
        Assert.Equal(16 * 4, projection.Data.Length);
    }
}
