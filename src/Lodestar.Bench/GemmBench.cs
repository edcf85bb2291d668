// `lodestar bench gemm`: GEMM speed on this machine as GFLOP/s and as a ratio to the FMA peak measured
// just before each case in the same process (forward, both backward transposes, int8 and bf16).
using System.CommandLine;
using Lodestar.Core;
using Lodestar.Kernels;
using Spectre.Console;

namespace Lodestar.Bench;

public static class GemmBench
{
    /// <summary>One measured case; `gops` is set for integer kernels (multiply-adds ×2 per second, G units).</summary>
    public sealed record GemmBenchResult(string Name, string Shape, int Threads, double Gflops, double? Gops, double PeakGflops,
        double RatioToPeak, double AllocatedBytesPerCall, double MedianMs, string Isa);

    private const string DefaultShapes = "1024x1024x1024,4096x256x1024";

    public static Command Create(BenchOutput output)
    {
        var threads = new Option<int>("--threads") { Description = "Kernel threads (0 = all cores).", DefaultValueFactory = _ => 0 };
        var shapes = new Option<string>("--shapes") { Description = "Comma-separated MxNxK products (C is M×N, depth K).", DefaultValueFactory = _ => DefaultShapes };
        var seconds = new Option<double>("--seconds") { Description = "Timing budget per case, after warm-up.", DefaultValueFactory = _ => 1.0 };
        var packed = new Option<bool>("--packed")
        {
            Description = "Time only the inference GEMM against a prepacked (N,K) weight: plain, and with the fused bias+GELU epilogue.",
        };
        var json = output.CreateJsonOption();
        var command = new Command("gemm", "Measure fp32, int8 and bf16 GEMM speed against the FMA peak.");
        command.Options.Add(threads);
        command.Options.Add(shapes);
        command.Options.Add(seconds);
        command.Options.Add(packed);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            int n = BenchTiming.ResolveThreads(parse.GetValue(threads));
            double budget = parse.GetValue(seconds);
            if (!(budget > 0))
            {
                throw new ArgumentOutOfRangeException(nameof(seconds), budget, "--seconds must be positive.");
            }
            var cases = GemmBenchCase.Parse(parse.GetValue(shapes) ?? DefaultShapes, parse.GetValue(packed));
            bool asJson = parse.GetValue(json);
            int saved = KernelThreads.Count;
            KernelThreads.Count = n;
            try
            {
                var results = new List<GemmBenchResult>();
                foreach (var benchCase in cases)
                {
                    var result = Run(benchCase, n, TimeSpan.FromSeconds(budget));
                    results.Add(result);
                    if (asJson)
                    {
                        output.WriteJson(result);
                    }
                    else
                    {
                        Console.Error.WriteLine($"{result.Name} {result.Shape}: {result.Gflops:F1} GFLOP/s");
                    }
                }
                if (!asJson)
                {
                    WriteTable(results);
                }
            }
            finally
            {
                KernelThreads.Count = saved;
            }
            return 0;
        });
        return command;
    }

    private static GemmBenchResult Run(GemmBenchCase benchCase, int threads, TimeSpan budget)
    {
        var operands = benchCase.CreateOperands(seed: 1234);
        double flops = 2.0 * benchCase.M * benchCase.N * benchCase.K;
        // Each timing sample is paired with an FMA-peak sample taken right after it on the same threads,
        // so both see the same load from whatever else runs on the machine.
        var paired = BenchTiming.MeasureAgainst(operands.Run, flops / 1e9, span => FmaPeak.MeasureGflops(threads, span), budget);
        bool integer = benchCase.Kind == GemmBenchKind.Int8;
        return new GemmBenchResult(benchCase.Name, $"{benchCase.M}x{benchCase.N}x{benchCase.K}", threads, paired.MedianRate,
            integer ? paired.MedianRate : null, paired.MedianReferenceRate, paired.MedianRatio, paired.Timing.AllocatedBytesPerCall,
            paired.Timing.MedianSeconds * 1e3, PeakBench.Isa);
    }

    private static void WriteTable(List<GemmBenchResult> results)
    {
        var table = new Table().AddColumns("case", "M×N×K", "threads", "GFLOP/s", "peak", "ratio", "ms", "alloc B/call");
        foreach (var r in results)
        {
            table.AddRow(r.Name, r.Shape, r.Threads.ToString(), r.Gflops.ToString("F1"), r.PeakGflops.ToString("F1"),
                r.RatioToPeak.ToString("P1"), r.MedianMs.ToString("F2"), r.AllocatedBytesPerCall.ToString("F0"));
        }
        AnsiConsole.Write(table);
    }
}

/// <summary>Kind of product a bench case times.</summary>
public enum GemmBenchKind
{
    Fp32,
    Int8,
    Bf16,
    Packed,
}

/// <summary>A product to time: C(M×N) from depth K, with op(A), op(B) transposed as in the named pass.</summary>
public sealed record GemmBenchCase(string Name, GemmBenchKind Kind, int M, int N, int K, bool TransposeA, bool TransposeB)
{
    /// <summary>Cases for every MxNxK in `shapes`: all training/quantized kinds, or only the packed inference ones.</summary>
    public static List<GemmBenchCase> Parse(string shapes, bool packedOnly = false)
    {
        var cases = new List<GemmBenchCase>();
        foreach (string text in shapes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = text.Split('x');
            if (parts.Length != 3 || !parts.All(p => int.TryParse(p, out int v) && v > 0))
            {
                throw new ArgumentException($"--shapes: '{text}' is not MxNxK with positive integers (e.g. 1024x1024x1024).");
            }
            int m = int.Parse(parts[0]), n = int.Parse(parts[1]), k = int.Parse(parts[2]);
            if (packedOnly)
            {
                cases.Add(new("fp32_packed_nt", GemmBenchKind.Packed, m, n, k, false, true));
                cases.Add(new("fp32_packed_bias_gelu", GemmBenchKind.Packed, m, n, k, false, true));
                continue;
            }
            cases.Add(new("fp32_forward_nn", GemmBenchKind.Fp32, m, n, k, false, false));
            cases.Add(new("fp32_backward_input_nt", GemmBenchKind.Fp32, m, k, n, false, true));
            cases.Add(new("fp32_backward_weight_tn", GemmBenchKind.Fp32, k, n, m, true, false));
            cases.Add(new("int8_forward", GemmBenchKind.Int8, m, n, k, false, true));
            cases.Add(new("int8_u8_forward", GemmBenchKind.Int8, m, n, k, false, true));
            cases.Add(new("bf16_forward", GemmBenchKind.Bf16, m, n, k, false, true));
        }
        return cases;
    }

    public GemmBenchOperands CreateOperands(int seed) => new(this, seed);
}

/// <summary>Operands for one case, filled from a seeded generator before timing; Run() performs the product once.</summary>
public sealed class GemmBenchOperands
{
    private readonly GemmBenchCase benchCase;
    private readonly float[] a;
    private readonly float[] b;
    private readonly float[] c;
    private readonly byte[] quantizedA = [];
    private readonly byte[] zeroA = [];
    private readonly float[] scaleA = [];
    private readonly sbyte[] quantizedW = [];
    private readonly float[] scaleW = [];
    private readonly ushort[] bf16W = [];
    private readonly PackedWeight? packedW;
    private readonly float[] bias = [];

    public GemmBenchOperands(GemmBenchCase benchCase, int seed)
    {
        this.benchCase = benchCase;
        var rng = new SeededRandom((ulong)seed);
        int m = benchCase.M, n = benchCase.N, k = benchCase.K;
        a = Fill(rng, m * k);
        b = Fill(rng, k * n);
        c = new float[m * n];
        switch (benchCase.Kind)
        {
            case GemmBenchKind.Int8:
                // b is read as the (N,K) weight of an nn.Linear.
                (quantizedA, zeroA, scaleA) = (new byte[m * k], new byte[m], new float[m]);
                (quantizedW, scaleW) = (new sbyte[n * k], new float[n]);
                // int8_forward uses 7-bit activation codes (the vpmaddubsw kernel), int8_u8_forward full u8 codes.
                Int8Quantize.RowsToU8(m, k, a, k, quantizedA, k, scaleA, zeroA, reduceRange: benchCase.Name == "int8_forward");
                Int8Quantize.RowsToS8(n, k, b, k, quantizedW, k, scaleW);
                Run = RunInt8;
                break;
            case GemmBenchKind.Bf16:
                bf16W = new ushort[n * k];
                Bf16.FromFloat(b, bf16W);
                Run = RunBf16;
                break;
            case GemmBenchKind.Packed:
                // b is read as the (N,K) weight of an nn.Linear, packed once as a frozen model does.
                packedW = Gemm.PackWeight(b, n, k);
                bias = benchCase.Name == "fp32_packed_bias_gelu" ? Fill(rng, n) : [];
                Run = RunPacked;
                break;
            default:
                Run = RunFp32;
                break;
        }
    }

    /// <summary>Performs the product once.</summary>
    public Action Run { get; }

    private void RunFp32()
    {
        var x = benchCase;
        Gemm.Multiply(x.TransposeA, x.TransposeB, x.M, x.N, x.K, 1f, a, x.TransposeA ? x.M : x.K, b, x.TransposeB ? x.K : x.N, 0f, c, x.N);
    }

    private void RunPacked()
    {
        var x = benchCase;
        Gemm.MultiplyPacked(x.M, a, x.K, packedW!, bias, gelu: bias.Length > 0, [], c, x.N);
    }

    private void RunInt8()
    {
        var x = benchCase;
        Int8Gemm.Multiply(x.M, x.N, x.K, quantizedA, x.K, scaleA, zeroA, quantizedW, x.K, scaleW, c, x.N);
    }

    private void RunBf16()
    {
        var x = benchCase;
        Bf16Gemm.Multiply(x.M, x.N, x.K, a, x.K, bf16W, x.K, c, x.N);
    }

    private static float[] Fill(SeededRandom rng, int length)
    {
        var data = new float[length];
        rng.FillUniform(data, 1f);
        return data;
    }
}
