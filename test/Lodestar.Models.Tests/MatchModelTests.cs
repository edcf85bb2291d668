// The match model presets and encoder: the student stays over 10× smaller than the policy teacher, the FLOP
// count behind the reported GFLOP/s is worked out by hand, and the factorized embedding learns.
using Lodestar.Core;
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
    public void ForwardFlopsCountsTheRealTokensOnly()
    {
        var config = new MatchModelConfig { Channels = 8, Heads = 2, FeedForward = 16, Layers = 2, MaxTokens = 8, EmbeddingChannels = 4 };
        var model = new MatchModel(MatchRole.Student, config, 50, Layout);
        var keep = new byte[16];
        keep.AsSpan(0, 5).Fill(1);
        keep.AsSpan(8, 8).Fill(1);
        // 13 real tokens. Projection 4→8: 2·13·32 = 832. Per layer: QKV + output 2·13·4·64 = 6656, MLP 2·13·2·128 = 6656,
        // attention 2·2·8·(5² + 8²) = 2848. Head 2·2·8·26 = 832.
        Assert.Equal(832 + (2 * (6656 + 6656 + 2848)) + 832, model.ForwardFlops(keep, 2));
        // Padding does not count: pairs of 5 and 6 real tokens cost the same cut to length 6 as padded to 8.
        byte[] cut = [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1];
        byte[] padded = [1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0];
        Assert.Equal(model.ForwardFlops(padded, 2), model.ForwardFlops(cut, 2));
    }

    [Fact]
    public void BatchCutToItsLongestPairGivesThePaddedLogits()
    {
        var config = new MatchModelConfig { Channels = 16, Heads = 2, FeedForward = 32, Layers = 2, MaxTokens = 12, EmbeddingChannels = 8, Seed = 4 };
        var model = new MatchModel(MatchRole.Student, config, 30, Layout);
        var random = new SeededRandom(9);
        int[] lengths = [7, 3, 5];
        var tokens = new int[3 * 12];
        var keep = new byte[3 * 12];
        var cutTokens = new int[3 * 7];
        var cutKeep = new byte[3 * 7];
        for (var b = 0; b < 3; b++)
        {
            for (var t = 0; t < lengths[b]; t++)
            {
                tokens[(b * 12) + t] = cutTokens[(b * 7) + t] = 1 + (int)(random.NextUInt64() % 29);
                keep[(b * 12) + t] = cutKeep[(b * 7) + t] = 1;
            }
        }
        model.Eval();
        var graph = new Graph(recordGradients: false);
        var padded = model.Forward(graph, tokens, 3, keep).Data.ToArray();
        var cut = model.Forward(graph, cutTokens, 3, 7, cutKeep).Data.ToArray();
        for (var i = 0; i < padded.Length; i++)
        {
            Assert.Equal(padded[i], cut[i], 4);
        }
        Assert.Throws<ArgumentException>(() => model.Forward(graph, cutTokens, 3, 13, cutKeep));
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
