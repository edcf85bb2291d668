// `lodestar seqrec`: every subcommand answers --help; train -> eval -> recommend, experiment and bench run on
// real run directories with one JSON object per line; bad input is one line and exit code 1.
using System.Text.Json;

// Tests here swap the process-wide Console.Out/Error to read what a command printed; run in parallel, one
// test's output lands in another's capture. The CLI tests are fast, so they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Lodestar.Cli.Tests;

public sealed class SeqRecCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-seqrec-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var (savedOut, savedErr) = (Console.Out, Console.Error);
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            return (Program.Main(args), output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(savedOut);
            Console.SetError(savedErr);
        }
    }

    [Theory]
    [InlineData("seqrec")]
    [InlineData("seqrec", "train")]
    [InlineData("seqrec", "eval")]
    [InlineData("seqrec", "recommend")]
    [InlineData("seqrec", "experiment")]
    public void EverySubcommandAnswersHelp(params string[] args)
    {
        var (code, output, _) = Run([.. args, "--help"]);
        Assert.Equal(0, code);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainEvalRecommendRoundTrip()
    {
        var data = Path.Combine(_directory, "seq.txt");
        File.WriteAllLines(data, Enumerable.Range(1, 30).Select(u => $"{u} " + string.Join(' ', Enumerable.Range(0, 5).Select(i => 1 + ((u + i) % 12)))));
        var run = Path.Combine(_directory, "run");
        var (code, output, _) = Run("seqrec", "train", "--data", data, "--model", "cooc", "--run", run, "--json");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(["validation", "test"], lines.Select(l => l.GetProperty("split").GetString()));
        Assert.True(lines[1].GetProperty("history_excluded").GetBoolean());
        var trainedTest = lines[1].GetProperty("metrics").GetProperty("ndcg@10").GetDouble();

        (code, output, _) = Run("seqrec", "eval", "--run", run, "--json");
        Assert.Equal(0, code);
        var evaluated = JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1]).RootElement;
        Assert.Equal(trainedTest, evaluated.GetProperty("metrics").GetProperty("ndcg@10").GetDouble());
        Assert.StartsWith("keep-target:", evaluated.GetProperty("history_rule").GetString(), StringComparison.Ordinal);

        // Under the published rule the same run states it, and a rule of another name is refused by name.
        (code, output, _) = Run("seqrec", "eval", "--run", run, "--history-mask", "published", "--json");
        Assert.Equal(0, code);
        var published = JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1]).RootElement;
        Assert.StartsWith("published:", published.GetProperty("history_rule").GetString(), StringComparison.Ordinal);
        (code, _, var error) = Run("seqrec", "eval", "--run", run, "--history-mask", "zeroed");
        Assert.NotEqual(0, code);
        Assert.Contains("published or keep-target", error, StringComparison.Ordinal);

        (code, output, _) = Run("seqrec", "recommend", "--run", run, "--user", "3", "--k", "4", "--json");
        Assert.Equal(0, code);
        var items = JsonDocument.Parse(output).RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(4, items.Length);
    }

    [Fact]
    public void ARunAlreadyInTheRunDirectoryIsReplacedOnlyWithForce()
    {
        var data = Path.Combine(_directory, "seq.txt");
        File.WriteAllLines(data, Enumerable.Range(1, 30).Select(u => $"{u} " + string.Join(' ', Enumerable.Range(0, 5).Select(i => 1 + ((u + i) % 12)))));
        var run = Path.Combine(_directory, "run");
        string[] Train(string model, params string[] more) => ["seqrec", "train", "--data", data, "--model", model, "--run", run, .. more, "--json"];
        Assert.Equal(0, Run(Train("cooc")).Code);
        var record = File.ReadAllText(Path.Combine(run, "run.json"));

        var (code, _, error) = Run(Train("popular"));
        Assert.Equal(1, code);
        Assert.Contains("replace it (--force)", error, StringComparison.Ordinal);
        Assert.Equal(record, File.ReadAllText(Path.Combine(run, "run.json")));
        (code, _, error) = Run(Train("popular", "--force", "--resume"));
        Assert.Equal(1, code);
        Assert.Contains("give one of them", error, StringComparison.Ordinal);

        Assert.Equal(0, Run(Train("popular", "--force")).Code);
        Assert.Contains("\"popular\"", File.ReadAllText(Path.Combine(run, "run.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void ExperimentSummarisesSeedsAndBenchReportsBothRates()
    {
        var data = Path.Combine(_directory, "seq.txt");
        File.WriteAllLines(data, Enumerable.Range(1, 30).Select(u => $"{u} " + string.Join(' ', Enumerable.Range(0, 5).Select(i => 1 + ((u + i) % 12)))));
        var config = Path.Combine(_directory, "cooc.json");
        File.WriteAllText(config, """{ "model": "cooc" }""");
        var experiment = Path.Combine(_directory, "exp");
        var (code, output, _) = Run("seqrec", "experiment", "--data", data, "--config", config, "--seeds", "1", "2", "--out", experiment, "--json");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(["seqrec-seed", "seqrec-seed", "seqrec-experiment"], lines.Select(l => l.GetProperty("name").GetString()));
        // Co-occurrence ignores the seed: both seeds give the same metrics, so the spread is zero.
        var ndcg = lines[2].GetProperty("test").GetProperty("ndcg@10");
        Assert.Equal(lines[0].GetProperty("test").GetProperty("ndcg@10").GetDouble(), ndcg.GetProperty("mean").GetDouble(), 12);
        Assert.Equal(0.0, ndcg.GetProperty("std").GetDouble());

        (code, output, _) = Run("bench", "seqrec", "--run", Path.Combine(experiment, "seed-1"), "--users", "20", "--repeats", "1", "--json");
        Assert.Equal(0, code);
        var bench = JsonDocument.Parse(output).RootElement;
        Assert.Equal(20, bench.GetProperty("users").GetInt32());
        Assert.True(bench.GetProperty("users_per_s").GetDouble() > 0);
        Assert.True(bench.GetProperty("popular_users_per_s").GetDouble() > 0);
        Assert.True(bench.GetProperty("users_per_cpu_s").GetDouble() > 0);
    }

    [Fact]
    public void MissingDataFileIsOneLineAndExitCodeOne()
    {
        var (code, _, error) = Run("seqrec", "train", "--data", Path.Combine(_directory, "absent.txt"), "--model", "popular");
        Assert.Equal(1, code);
        Assert.Contains("absent.txt", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ACheckpointRecommendsForAGivenHistoryAndConflictingInputsAreOneLine()
    {
        var checkpoint = Lodestar.TestSupport.RepoPaths.Golden("scoring/sasrec/best.safetensors");
        var (code, output, _) = Run("seqrec", "recommend", "--checkpoint", checkpoint, "--history", "1", "2", "3", "--k", "3", "--json");
        Assert.Equal(0, code);
        var answer = JsonDocument.Parse(output).RootElement;
        Assert.Equal("seqrec.sasrec", answer.GetProperty("model").GetString());
        var items = answer.GetProperty("items").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(3, items.Length);
        Assert.DoesNotContain(2, items);

        (code, _, var error) = Run("seqrec", "recommend", "--checkpoint", checkpoint, "--run", _directory, "--user", "1");
        Assert.Equal(1, code);
        Assert.Contains("either --run or --checkpoint", error, StringComparison.Ordinal);
        (code, _, error) = Run("seqrec", "recommend", "--checkpoint", checkpoint, "--user", "1");
        Assert.Equal(1, code);
        Assert.Contains("--history, or --user with --data", error, StringComparison.Ordinal);
        (code, _, error) = Run("seqrec", "recommend", "--checkpoint", checkpoint, "--history", "999");
        Assert.Equal(1, code);
        Assert.Contains("999", error, StringComparison.Ordinal);
    }
}
