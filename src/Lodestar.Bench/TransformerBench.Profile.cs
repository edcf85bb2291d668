// `lodestar bench train-step --profile`: where one warm training step's time goes, by forward and backward
// op kind, GEMM shape and optimizer, from Stopwatch timings of graph ops (Lodestar.Tensors.OpProfile).
using System.Diagnostics;
using KernelThreads = Lodestar.Kernels.KernelThreads;
using Lodestar.Nn;
using Lodestar.Nn.Optim;
using AdamW = Lodestar.Nn.Optim.AdamW;
using Lodestar.Tensors;

namespace Lodestar.Bench;

public static partial class TransformerBench
{
    /// <summary>One profile row per step (or inference run): ms per step, its share of the profiled step, GFLOP/s for GEMM rows.</summary>
    private sealed record ProfileFigure(string Name, string Config, int Threads, string Section, string Op, double CallsPerStep,
        double MsPerStep, double ShareOfStep, double? Gflops);

    /// <summary>The timed training step of the benchmark: fixed random batch, AdamW, one graph reused.</summary>
    private sealed class BenchTrainer(TransformerClassifier model, int batch)
    {
        private readonly Graph _graph = new();
        private readonly AdamW _optimizer = new(model.Parameters(), new AdamWConfig { LearningRate = 1e-4f });
        private readonly (int[] Tokens, int[] Labels) _data = RandomBatch(model.Config, batch, seed: 7);

        public int Batch => batch;

        public void Step()
        {
            _graph.Reset();
            _optimizer.ZeroGrad();
            _graph.Backward(model.Loss(_graph, _data.Tokens, _data.Labels, batch, SequenceLength));
            _optimizer.Step();
        }

        /// <summary>Step with each phase timed into profile (graph ops report to it through OpProfile.Current).</summary>
        public void ProfiledStep(OpProfile profile)
        {
            var start = Stopwatch.GetTimestamp();
            _graph.Reset();
            _optimizer.ZeroGrad();
            profile.Add("step", "reset + zero grad", start);
            start = Stopwatch.GetTimestamp();
            profile.BeginForward();
            var loss = model.Loss(_graph, _data.Tokens, _data.Labels, batch, SequenceLength);
            profile.Add("step", "forward", start);
            start = Stopwatch.GetTimestamp();
            _graph.Backward(loss);
            profile.Add("step", "backward", start);
            start = Stopwatch.GetTimestamp();
            _optimizer.Step();
            profile.Add("step", "adamw", start);
        }
    }

    /// <summary>Runs `steps` warm steps with per-op timing; returns the rows and the profiled steps' count.</summary>
    private static (IReadOnlyList<OpProfileRow> Rows, int Steps) ProfileTraining(BenchTrainer trainer, int steps)
    {
        var profile = new OpProfile();
        OpProfile.Current = profile;
        try
        {
            trainer.ProfiledStep(profile); // the profiler's own first-call costs stay out of the figures
            profile.Clear();
            for (var i = 0; i < steps; i++)
            {
                trainer.ProfiledStep(profile);
            }
        }
        finally
        {
            OpProfile.Current = null;
        }
        return (profile.Rows(), steps);
    }

    /// <summary>Runs `runs` warm inference passes with the packed GEMMs timed (section "step": whole forward).</summary>
    private static (IReadOnlyList<OpProfileRow> Rows, int Steps) ProfileInference(TransformerClassifier model, int batch, int runs)
    {
        var tokens = RandomBatch(model.Config, batch, seed: 11).Tokens;
        var graph = new Graph(recordGradients: false);
        var profile = new OpProfile();
        OpProfile.Current = profile;
        try
        {
            for (var i = 0; i <= runs; i++)
            {
                if (i == 1)
                {
                    profile.Clear(); // the profiler's own first-call costs stay out of the figures
                }
                var start = Stopwatch.GetTimestamp();
                graph.Reset();
                model.Forward(graph, tokens, batch, SequenceLength);
                profile.Add("step", "forward", start);
            }
        }
        finally
        {
            OpProfile.Current = null;
        }
        return (profile.Rows(), runs);
    }

    private static void ReportProfile(BenchOutput output, (IReadOnlyList<OpProfileRow> Rows, int Steps) profile, Figure figure, bool json)
    {
        var stepMs = profile.Rows.Where(row => row.Section == "step").Sum(row => row.Milliseconds) / profile.Steps;
        var figures = profile.Rows.Select(row => new ProfileFigure(figure.Name + "_profile", figure.Config, KernelThreads.Count, row.Section, row.Name,
            (double)row.Calls / profile.Steps, row.Milliseconds / profile.Steps, row.Milliseconds / profile.Steps / stepMs,
            row.Flops > 0 ? row.Flops / (row.Milliseconds * 1e6) : null)).ToList();
        if (json)
        {
            figures.ForEach(output.WriteJson);
            return;
        }
        Console.WriteLine($"profile of {profile.Steps} warm runs ({stepMs:F2} ms per profiled run; gemm and detail rows are nested in forward/backward):");
        Console.WriteLine($"{"section",-9} {"op",-42} {"calls",6} {"ms/step",9} {"share",7} {"GFLOP/s",8}");
        foreach (var row in figures)
        {
            Console.WriteLine($"{row.Section,-9} {row.Op,-42} {row.CallsPerStep,6:0.#} {row.MsPerStep,9:F3} {row.ShareOfStep,7:P1} {(row.Gflops is { } g ? g.ToString("F0", System.Globalization.CultureInfo.InvariantCulture) : ""),8}");
        }
    }
}
