// `lodestar tokenizer train|encode|bench`: trains Lodestar's byte-level BPE into a Hugging Face
// tokenizer.json, shows how text encodes, and measures encoding speed (MB/s per core).
using System.CommandLine;
using System.Diagnostics;
using Lodestar.Core.Progress;
using Lodestar.Text.Prompts;
using Lodestar.Text.Tokenization;
using Spectre.Console;

namespace Lodestar.Cli;

public static class TokenizerCommand
{
    public static Command Create()
    {
        var command = new Command("tokenizer", "Train, inspect and benchmark the byte-level BPE tokenizer (Hugging Face tokenizer.json format).");
        command.Subcommands.Add(CreateTrain());
        command.Subcommands.Add(CreateEncode());
        command.Subcommands.Add(CreateBench());
        return command;
    }

    private static Command CreateTrain()
    {
        var corpus = new Option<FileInfo[]>("--corpus") { Description = "UTF-8 text files to learn from (one or more).", Required = true, AllowMultipleArgumentsPerToken = true };
        var vocabSize = new Option<int>("--vocab-size") { Description = "Total ids: added tokens + 256 bytes + merges.", DefaultValueFactory = _ => new BpeTrainerConfig().VocabSize };
        var minFrequency = new Option<int>("--min-frequency") { Description = "Pairs seen fewer times are not merged.", DefaultValueFactory = _ => new BpeTrainerConfig().MinPairFrequency };
        var output = new Option<FileInfo>("--out") { Description = "Where to write tokenizer.json.", DefaultValueFactory = _ => new FileInfo("tokenizer.json") };
        var templates = new Option<DirectoryInfo?>("--templates") { Description = "Template directory whose field markers become added tokens too (built-in templates always do)." };
        var force = CliOptions.Force();
        var json = CliJson.CreateOption();
        var command = WithOptions(new Command("train", "Learn a byte-level BPE vocabulary from text files and write tokenizer.json."), corpus, vocabSize, minFrequency, output, templates, force, json);
        command.SetAction(parse =>
        {
            var destination = parse.GetValue(output)!;
            Core.ExistingOutput.RefuseUnlessReplacing(destination.FullName, parse.GetValue(force), "a tokenizer");
            var files = parse.GetValue(corpus)!;
            var config = new BpeTrainerConfig
            {
                VocabSize = parse.GetValue(vocabSize),
                MinPairFrequency = parse.GetValue(minFrequency),
                AddedTokens = PromptVocabulary.AddedTokens(PromptLibrary.Load(parse.GetValue(templates)?.FullName)),
            };
            var clock = Stopwatch.StartNew();
            var trainer = new BpeTrainer(config);
            BpeTokenizer? tokenizer = null;
            var progress = ProgressReporter.ForStandardError();
            foreach (var file in files)
            {
                var length = file.Exists ? file.Length : 0;
                progress.Start($"counting words in {file.Name} (bytes)", length);
                trainer.AddFile(file.FullName, position => progress.Report(position));
                progress.Report(length);
            }
            var merges = config.VocabSize - config.AddedTokens.Count - 256;
            progress.Start("merging pairs", merges);
            tokenizer = trainer.Train((done, _) => progress.Report(done));
            progress.Report(merges);
            TokenizerJson.Save(tokenizer!, destination.FullName);
            var result = new
            {
                Tokenizer = destination.FullName,
                VocabSize = tokenizer!.VocabSize,
                Merges = tokenizer.Merges.Count,
                AddedTokens = tokenizer.AddedTokens.Count,
                DistinctWords = trainer.DistinctWords,
                Seconds = Math.Round(clock.Elapsed.TotalSeconds, 2),
            };
            return Report(parse.GetValue(json), result, $"wrote {result.Tokenizer}: {result.VocabSize} ids ({result.Merges} merges, {result.AddedTokens} added tokens) from {result.DistinctWords} distinct words in {result.Seconds} s");
        });
        return command;
    }

    private static Command CreateEncode()
    {
        var tokenizerOption = TokenizerOption(required: true);
        var text = new Option<string>("--text") { Description = "The text to encode.", Required = true };
        var json = CliJson.CreateOption();
        var command = WithOptions(new Command("encode", "Show the ids and token strings a text encodes to, and its decoded form."), tokenizerOption, text, json);
        command.SetAction(parse =>
        {
            var tokenizer = TokenizerJson.Load(parse.GetValue(tokenizerOption)!.FullName);
            var input = parse.GetValue(text)!;
            var ids = tokenizer.Encode(input);
            var tokens = ids.Select(tokenizer.IdToToken).ToArray();
            var decoded = tokenizer.Decode(ids);
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(new { Ids = ids, Tokens = tokens, Decoded = decoded, RoundTrip = decoded == input });
            }
            else
            {
                Console.WriteLine($"{ids.Length} tokens");
                Console.WriteLine(string.Join(' ', ids));
                Console.WriteLine(string.Join(" | ", tokens));
                Console.WriteLine(decoded == input ? "decodes back to the same text" : $"decodes to: {decoded}");
            }
            return 0;
        });
        return command;
    }

    private static Command CreateBench()
    {
        var tokenizerOption = TokenizerOption(required: false);
        var corpus = new Option<FileInfo[]>("--corpus") { Description = "UTF-8 text files to encode, one encode call per line.", Required = true, AllowMultipleArgumentsPerToken = true };
        var vocabSize = new Option<int>("--vocab-size") { Description = "Vocabulary to train on the corpus when --tokenizer is not given.", DefaultValueFactory = _ => new BpeTrainerConfig().VocabSize };
        var seconds = new Option<double>("--seconds") { Description = "Minimum measured seconds per mode.", DefaultValueFactory = _ => 3.0 };
        var json = CliJson.CreateOption();
        var command = WithOptions(new Command("bench", "Measure single-thread encoding speed (mb_per_s) warm (word cache) and cold (no cache)."), tokenizerOption, corpus, vocabSize, seconds, json);
        command.SetAction(parse =>
        {
            var files = parse.GetValue(corpus)!;
            foreach (var file in files.Where(f => !f.Exists))
            {
                throw new FileNotFoundException($"{file.FullName}: corpus file not found");
            }
            var lines = files.SelectMany(f => File.ReadLines(f.FullName)).Where(l => l.Length > 0).ToList();
            var tokenizerFile = parse.GetValue(tokenizerOption);
            BpeTokenizer tokenizer;
            if (tokenizerFile is not null)
            {
                tokenizer = TokenizerJson.Load(tokenizerFile.FullName);
            }
            else
            {
                var trainer = new BpeTrainer(new BpeTrainerConfig { VocabSize = parse.GetValue(vocabSize) });
                foreach (var line in lines)
                {
                    trainer.AddText(line);
                }
                tokenizer = trainer.Train();
            }
            var minSeconds = parse.GetValue(seconds);
            var warm = EncodingThroughput.Measure(tokenizer, lines, minSeconds);
            var cold = EncodingThroughput.Measure(tokenizer.WithCacheCapacity(0), lines, minSeconds);
            var result = new
            {
                Benchmark = "tokenizer_encode",
                MbPerS = Math.Round(warm.MegabytesPerSecond, 2),
                MbPerCpuS = Math.Round(warm.MegabytesPerCpuSecond, 2),
                MbPerSNoCache = Math.Round(cold.MegabytesPerSecond, 2),
                MbPerCpuSNoCache = Math.Round(cold.MegabytesPerCpuSecond, 2),
                CacheSpeedup = Math.Round(warm.MegabytesPerSecond / cold.MegabytesPerSecond, 2),
                TokensPerS = Math.Round(warm.TokensPerSecond),
                TargetMbPerS = 5.0,
                MeetsTarget = warm.MegabytesPerSecond >= 5.0,
                Lines = lines.Count,
                VocabSize = tokenizer.VocabSize,
                Threads = 1,
            };
            return Report(parse.GetValue(json), result, $"encode: {result.MbPerS} MB/s warm ({result.MbPerCpuS} per CPU second), {result.MbPerSNoCache} MB/s without the word cache ({result.CacheSpeedup}x), {result.TokensPerS} tokens/s, 1 thread, vocab {result.VocabSize}");
        });
        return command;
    }

    /// <summary>Adds <paramref name="options"/> to <paramref name="command"/> in order and returns it.</summary>
    internal static Command WithOptions(Command command, params Option[] options)
    {
        foreach (var option in options)
        {
            command.Options.Add(option);
        }
        return command;
    }

    private static int Report<T>(bool json, T result, string line)
    {
        if (json)
        {
            CliJson.WriteLine(result);
        }
        else
        {
            Console.WriteLine(line);
        }
        return 0;
    }

    private static Option<FileInfo?> TokenizerOption(bool required) =>
        new("--tokenizer") { Description = "A tokenizer.json written by `lodestar tokenizer train`.", Required = required };
}
