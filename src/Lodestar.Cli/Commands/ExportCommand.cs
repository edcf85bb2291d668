// `lodestar export onnx`: a Lodestar checkpoint written as a standard ONNX file that ONNX Runtime (or any ONNX
// consumer) runs to the same outputs; the checkpoint's kind picks the graph.
using System.CommandLine;
using Lodestar.Core;
using System.Diagnostics;
using Lodestar.Models;
using Lodestar.Tensors.Serialization.Onnx;

namespace Lodestar.Cli;

public static class ExportCommand
{
    public static Command Create()
    {
        var command = new Command("export", "Write Lodestar models in other formats.");
        command.Subcommands.Add(Onnx());
        return command;
    }

    private static Command Onnx()
    {
        var checkpoint = new Option<FileInfo>("--checkpoint") { Description = $"A model checkpoint (.safetensors) of kind {string.Join(", ", OnnxExport.Kinds)}.", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "The ONNX file to write (atomically).", Required = true };
        var ortFused = new Option<bool>("--ort-fused") { Description = "BERT-family encoders: ONNX Runtime's fused CPU operators (com.microsoft Attention, SkipLayerNormalization, BiasGelu), which only ONNX Runtime runs." };
        var force = CliOptions.Force();
        var json = CliJson.CreateOption();
        var command = new Command("onnx", "Write a checkpoint as an ONNX graph (opset 17) with its weights inside.") { Options = { checkpoint, output, ortFused, force, json } };
        command.SetAction(parse =>
        {
            var source = parse.GetValue(checkpoint)!.FullName;
            var path = parse.GetValue(output)!.FullName;
            ExistingOutput.RefuseUnlessReplacing(path, parse.GetValue(force), "a file");
            var clock = Stopwatch.StartNew();
            OnnxExport.FromCheckpoint(source, parse.GetValue(ortFused)).Save(path);
            var seconds = clock.Elapsed.TotalSeconds;
            var written = OnnxModel.Read(path);
            var summary = new
            {
                Checkpoint = source,
                Onnx = path,
                Bytes = new FileInfo(path).Length,
                written.Inputs,
                written.Outputs,
                Initializers = written.Initializers.Count,
                Nodes = written.Nodes.Count,
                ExportSeconds = seconds,
            };
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(summary);
            }
            else
            {
                Console.Out.WriteLine($"{path}: {summary.Bytes:N0} bytes, {summary.Nodes} nodes, inputs {string.Join(", ", summary.Inputs)}, outputs {string.Join(", ", summary.Outputs)}; {seconds:F2} s");
            }
            return 0;
        });
        return command;
    }
}
