// lodestar-fuzz: the parsers' fuzz targets. `afl TARGET` is the entry afl++ runs through SharpFuzz (tools/fuzz/run-afl
// instruments the assemblies and starts afl-fuzz); `smoke` runs every target on mutated seeds in-process, the short
// check CI runs; `replay` runs saved inputs (afl's crashes) again; `seed DIR` writes the seed corpora.
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Lodestar.Core;
using Lodestar.Fuzz;

const string Usage = """
    lodestar-fuzz: fuzz targets for Lodestar's parsers

      lodestar-fuzz list                       the targets and the exceptions each documents
      lodestar-fuzz seed DIR                   write each target's seed inputs to DIR/<target>/
      lodestar-fuzz afl TARGET                 the afl++ entry point (SharpFuzz, out of process); see tools/fuzz/run-afl
      lodestar-fuzz smoke [--inputs N] [--seed S] [--target NAME] [--crashes DIR] [--json]
                                               N mutated seeds per target (default 5000), in process; exit 1 on a crash,
                                               each crashing input saved under DIR (default fuzz-crashes/)
      lodestar-fuzz replay TARGET PATH...      run saved inputs (files, or every file of a directory)
    """;

if (args.Length == 0 || args[0] is "-h" or "--help" or "-?")
{
    Console.Out.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}
try
{
    return args[0] switch
    {
        "list" => List(),
        "seed" when args.Length == 2 => Seed(args[1]),
        "afl" when args.Length == 2 => Afl(FuzzTargets.Named(args[1])),
        "smoke" => Smoke(args[1..]),
        "replay" when args.Length >= 3 => Replay(FuzzTargets.Named(args[1]), args[2..]),
        _ => throw new ArgumentException($"unknown command line '{string.Join(' ', args)}'\n{Usage}"),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"lodestar-fuzz: {e.Message}");
    return 2;
}

static int List()
{
    foreach (var target in FuzzTargets.All)
    {
        var documented = target.Documented.Length == 0 ? "none: never throws" : string.Join(", ", target.Documented.Select(t => t.Name));
        Console.Out.WriteLine($"{target.Name,-16} {target.What}; documented exceptions: {documented}");
    }
    return 0;
}

static int Seed(string directory)
{
    foreach (var target in FuzzTargets.All)
    {
        var folder = Directory.CreateDirectory(Path.Combine(directory, target.Name)).FullName;
        foreach (var (name, bytes) in target.Seeds())
        {
            File.WriteAllBytes(Path.Combine(folder, name), bytes);
        }
    }
    return 0;
}

// afl++ feeds one input per iteration on standard input; an exception the target does not document ends the
// process abnormally, which afl records as a crash with the input that caused it.
static int Afl(FuzzTarget target)
{
    SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        target.Accepts(buffer.ToArray());
    });
    return 0;
}

static int Smoke(string[] options)
{
    var inputs = 5000;
    ulong seed = 1;
    string? only = null;
    var crashes = "fuzz-crashes";
    var json = false;
    for (var i = 0; i < options.Length; i++)
    {
        string Value() => i + 1 < options.Length ? options[++i] : throw new ArgumentException($"{options[i]} needs a value");
        switch (options[i])
        {
            case "--inputs":
                inputs = int.TryParse(Value(), out var n) && n > 0 ? n : throw new ArgumentException("--inputs: a positive whole number");
                break;
            case "--seed":
                seed = ulong.TryParse(Value(), out var s) ? s : throw new ArgumentException("--seed: a whole number");
                break;
            case "--target":
                only = FuzzTargets.Named(Value()).Name;
                break;
            case "--crashes":
                crashes = Value();
                break;
            case "--json":
                json = true;
                break;
            default:
                throw new ArgumentException($"unknown option {options[i]}\n{Usage}");
        }
    }
    var failed = false;
    foreach (var target in FuzzTargets.All.Where(t => only is null || t.Name == only))
    {
        var seeds = target.Seeds().Select(s => s.Bytes).ToList();
        foreach (var (index, valid) in seeds.Index())
        {
            if (!target.Accepts(valid))
            {
                throw new InvalidOperationException($"{target.Name}: seed {index} is refused; a seed must be a valid input");
            }
        }
        var mutator = new Mutator(new SeededRandom(seed));
        var (accepted, refused, crashed) = (0, 0, 0);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < inputs; i++)
        {
            var input = mutator.Mutate(seeds[i % seeds.Count], seeds);
            try
            {
                if (target.Accepts(input))
                {
                    accepted++;
                }
                else
                {
                    refused++;
                }
            }
            catch (Exception e)
            {
                crashed++;
                var folder = Directory.CreateDirectory(Path.Combine(crashes, target.Name)).FullName;
                var file = Path.Combine(folder, Convert.ToHexStringLower(SHA256.HashData(input))[..16]);
                File.WriteAllBytes(file, input);
                File.WriteAllText(file + ".txt", e.ToString());
                Console.Error.WriteLine($"{target.Name}: input {i} threw {e.GetType().Name}: {e.Message.Split('\n')[0]} (saved as {file})");
            }
        }
        failed |= crashed > 0;
        var rate = inputs / clock.Elapsed.TotalSeconds;
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new { target = target.Name, inputs, accepted, refused, crashed, inputs_per_second = Math.Round(rate) }));
        }
        else
        {
            Console.Out.WriteLine($"{target.Name,-16} {inputs,8:N0} inputs: {accepted,7:N0} accepted, {refused,7:N0} refused as documented, {crashed,4:N0} crashes ({rate:N0}/s)");
        }
    }
    return failed ? 1 : 0;
}

static int Replay(FuzzTarget target, string[] paths)
{
    var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Where(f => !f.EndsWith(".txt", StringComparison.Ordinal)) : [p]).Order().ToList();
    var crashed = 0;
    foreach (var file in files)
    {
        try
        {
            Console.Out.WriteLine($"{file}: {(target.Accepts(File.ReadAllBytes(file)) ? "accepted" : "refused as documented")}");
        }
        catch (Exception e)
        {
            crashed++;
            Console.Out.WriteLine($"{file}: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
        }
    }
    return crashed > 0 ? 1 : 0;
}
