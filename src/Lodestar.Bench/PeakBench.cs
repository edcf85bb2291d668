// `lodestar bench peak`: the machine's FP32 FMA peak (independent register FMA chains), the ceiling the
// GEMM and model benchmarks report their ratios against.
using System.CommandLine;
using Lodestar.Kernels;
using Spectre.Console;

namespace Lodestar.Bench;

public static class PeakBench
{
    /// <summary>One peak measurement: GFLOP/s over `threads` threads for `seconds`.</summary>
    public sealed record PeakResult(string Name, int Threads, double Seconds, double Gflops, string Isa);

    public static Command Create(BenchOutput output)
    {
        var threads = new Option<int>("--threads") { Description = "Threads to run FMA chains on (0 = all cores).", DefaultValueFactory = _ => 0 };
        var seconds = new Option<double>("--seconds") { Description = "Measuring time per thread count.", DefaultValueFactory = _ => 1.0 };
        var json = output.CreateJsonOption();
        var command = new Command("peak", "Measure the FP32 FMA peak (GFLOP/s) of this machine.");
        command.Options.Add(threads);
        command.Options.Add(seconds);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            int n = BenchTiming.ResolveThreads(parse.GetValue(threads));
            double s = parse.GetValue(seconds);
            if (!(s > 0))
            {
                throw new ArgumentOutOfRangeException(nameof(seconds), s, "--seconds must be positive.");
            }
            var results = new List<PeakResult>();
            foreach (int t in n == 1 ? [1] : new[] { 1, n })
            {
                results.Add(new PeakResult("fma_peak", t, s, FmaPeak.MeasureGflops(t, TimeSpan.FromSeconds(s)), Isa));
            }
            if (parse.GetValue(json))
            {
                results.ForEach(output.WriteJson);
                return 0;
            }
            var table = new Table().AddColumns("threads", "GFLOP/s", "ISA");
            foreach (var r in results)
            {
                table.AddRow(r.Threads.ToString(), r.Gflops.ToString("F1"), r.Isa);
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    /// <summary>The vector width the FMA chains (and the GEMM micro-kernel) use on this run.</summary>
    public static string Isa => System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "avx512" : "avx2";
}
