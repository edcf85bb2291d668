// `lodestar match train`, `seqrec train`, `retrieval train` and `feed train` killed with SIGKILL in the middle of a run
// and resumed with --resume end with the same weights and optimizer moments, bit for bit, as a run never interrupted.
// The kill lands wherever the process is (mid-step, mid-checkpoint) once a mid-epoch checkpoint exists. Experiments
// (`seqrec experiment`, `feed experiment`) killed mid-run, or while making their world, and run again end the same way.
using System.Diagnostics;
using System.Text.Json;
using Lodestar.Tensors.Serialization;
using Lodestar.Training.Loop;

namespace Lodestar.Cli.Tests;

public sealed class KillAndResumeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-kill-resume-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void SeqRecTrainKilledMidRunResumesToTheSameWeights()
    {
        var data = PatternSequences();
        var config = Path.Combine(_directory, "sasrec.json");
        File.WriteAllText(config, """
            {
              "model": "sasrec", "seed": 4,
              "sasrec": { "max_length": 8, "channels": 16, "heads": 2, "feed_forward": 32, "layers": 1, "dropout": 0.2, "softmax": "sampled", "sampled_negatives": 8 },
              "training": { "epochs": 40, "batch_size": 16, "learning_rate": 0.005, "warmup_steps": 5, "patience": 100, "checkpoint_every_steps": 3 }
            }
            """);
        string[] Train(string run) => ["seqrec", "train", "--data", data, "--config", config, "--run", Path.Combine(_directory, run), "--json"];
        KilledAndResumedEndsAsStraight(Train);
    }

    [Fact]
    public void MatchTrainKilledMidRunResumesToTheSameWeights()
    {
        CliProcess.Run("world", "generate", "--out", Path.Combine(_directory, "world"), "--members", "200", "--days", "10", "--seed", "5", "--json");
        string Config(string runs)
        {
            var path = Path.Combine(_directory, $"{runs}.json");
            File.WriteAllText(path, $$"""
                {
                  "world": "{{Path.Combine(_directory, "world")}}",
                  "runs_directory": "{{Path.Combine(_directory, runs)}}",
                  "tokenizer_vocab": 512,
                  "data": { "policy_pairs": 400, "history_events": 2, "seed": 3 },
                  "model": { "channels": 16, "heads": 2, "feed_forward": 32, "layers": 1, "max_tokens": 96, "seed": 4 },
                  "training": { "epochs": 30, "batch_size": 32, "learning_rate": 0.005, "patience": 30, "checkpoint_every_steps": 3 }
                }
                """);
            return path;
        }
        CliProcess.Run("match", "train", "policy-teacher", "--config", Config("straight"), "--json");
        var killed = Config("killed");
        KillMidRun(["match", "train", "policy-teacher", "--config", killed, "--json"], Path.Combine(_directory, "killed", "policy-teacher"));
        CliProcess.Run("match", "train", "policy-teacher", "--config", killed, "--resume", "--json");
        AssertSameWeights(Path.Combine(_directory, "straight", "policy-teacher"), Path.Combine(_directory, "killed", "policy-teacher"));
    }

    [Fact]
    public void RetrievalTrainKilledMidRunResumesToTheSameWeights()
    {
        var config = SmallRetrievalRun.WriteConfig(_directory, """{ "epochs": 4, "batch_size": 16, "patience": 10, "checkpoint_every_steps": 3 }""");
        string[] Train(string run) => ["retrieval", "train", "--config", config, "--run", Path.Combine(_directory, run), "--json"];
        KilledAndResumedEndsAsStraight(Train);
    }

    [Fact]
    public void FeedTrainKilledMidRunResumesToTheSameWeights()
    {
        var world = Path.Combine(_directory, "world");
        CliProcess.Run("world", "generate", "--out", world, "--members", "300", "--days", "10", "--seed", "5", "--json");
        var config = Path.Combine(_directory, "feed.json");
        File.WriteAllText(config, $$"""
            {
              "world": "{{world}}", "evaluation_days": 50,
              "data": { "validation_days": 2, "test_days": 2 },
              "model": { "max_history": 32, "channels": 16, "heads": 2, "feed_forward": 32, "layers": 1, "experts": 2, "expert_width": 16 },
              "training": { "epochs": 4, "batch_size": 8, "patience": 10, "checkpoint_every_steps": 3 }
            }
            """);
        string[] Train(string run) => ["feed", "train", "--config", config, "--run", Path.Combine(_directory, run), "--json"];
        KilledAndResumedEndsAsStraight(Train);
    }

    [Fact]
    public void ASeqRecExperimentKilledInItsSecondSeedReusesTheFirstAndEndsAsAnUninterruptedOne()
    {
        var data = PatternSequences();
        var config = Path.Combine(_directory, "sasrec.json");
        File.WriteAllText(config, """
            {
              "model": "sasrec",
              "sasrec": { "max_length": 8, "channels": 16, "heads": 2, "feed_forward": 32, "layers": 1, "dropout": 0.2, "softmax": "sampled", "sampled_negatives": 8 },
              "training": { "epochs": 6, "batch_size": 16, "learning_rate": 0.005, "warmup_steps": 5, "patience": 100, "checkpoint_every_steps": 3 }
            }
            """);
        string[] Experiment(string name) => ["seqrec", "experiment", "--data", data, "--config", config, "--seeds", "1", "2", "--out", Path.Combine(_directory, name), "--json"];
        CliProcess.Run(Experiment("straight"));
        KillMidRun(Experiment("killed"), Path.Combine(_directory, "killed", "seed-2"));
        var seeds = CliProcess.Run(Experiment("killed")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.GetProperty("name").GetString() == "seqrec-seed").ToList();
        Assert.Equal([true, false], seeds.Select(s => s.GetProperty("reused").GetBoolean()));
        foreach (var seed in new[] { "seed-1", "seed-2" })
        {
            AssertSameWeights(Path.Combine(_directory, "straight", seed), Path.Combine(_directory, "killed", seed));
        }
        Assert.Equal(SummaryTest("straight"), SummaryTest("killed"));

        string SummaryTest(string name) => JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, name, "summary.json"))).RootElement.GetProperty("test").GetRawText();
    }

    [Fact]
    public void AFeedExperimentKilledWhileMakingItsWorldAndAgainMidRunEndsAsAnUninterruptedOne()
    {
        string Config(string name)
        {
            var path = Path.Combine(_directory, $"{name}.json");
            const string Run = """
                "evaluation_days": 50, "data": { "validation_days": 2, "test_days": 2 },
                "training": { "epochs": 3, "batch_size": 8, "patience": 10, "checkpoint_every_steps": 3 }
                """;
            const string Model = """ "max_history": 32, "channels": 16, "heads": 2, "feed_forward": 32, "layers": 1, "experts": 2, "expert_width": 16 """;
            File.WriteAllText(path, $$"""
                {
                  "world": "{{Path.Combine(_directory, name, "world")}}", "out": "{{Path.Combine(_directory, name)}}",
                  "world_members": 300, "world_days": 10, "world_seed": 5, "seeds": [1],
                  "variants": {
                    "sequential": { {{Run}}, "model": { {{Model}} } },
                    "item-only": { {{Run}}, "model": { {{Model}}, "action_tokens": false } }
                  }
                }
                """);
            return path;
        }
        string[] Experiment(string name) => ["feed", "experiment", "--config", Config(name), "--json"];
        CliProcess.Run(Experiment("straight"));

        var world = Path.Combine(_directory, "killed", "world");
        using (var process = CliProcess.StartInBackground(Experiment("killed")))
        {
            CliProcess.KillWhen(process, () => File.Exists(Path.Combine(world + ".partial", "members.jsonl")), "the experiment made its world before it could be killed");
        }
        Assert.False(Directory.Exists(world), "a killed experiment left a world for its rerun to take as finished");
        KillMidRun(Experiment("killed"), Path.Combine(_directory, "killed", "item-only", "seed-1"));
        CliProcess.Run(Experiment("killed"));
        foreach (var variant in new[] { "sequential", "item-only" })
        {
            AssertSameWeights(Path.Combine(_directory, "straight", variant, "seed-1"), Path.Combine(_directory, "killed", variant, "seed-1"));
        }
        Assert.Equal(File.ReadAllText(Path.Combine(_directory, "straight", "summary.json")), File.ReadAllText(Path.Combine(_directory, "killed", "summary.json")));
    }

    /// <summary>Trains run "straight" through, trains run "killed" until it is killed mid-run, resumes it, and compares the two.</summary>
    private void KilledAndResumedEndsAsStraight(Func<string, string[]> train)
    {
        CliProcess.Run(train("straight"));
        KillMidRun(train("killed"), Path.Combine(_directory, "killed"));
        CliProcess.Run([.. train("killed"), "--resume"]);
        AssertSameWeights(Path.Combine(_directory, "straight"), Path.Combine(_directory, "killed"));
    }

    /// <summary>150 users walking cycles over 30 items: 10 batches of 16 an epoch.</summary>
    private string PatternSequences()
    {
        var data = Path.Combine(_directory, "pattern.txt");
        var random = new Lodestar.Core.SeededRandom(21);
        File.WriteAllLines(data, Enumerable.Range(1, 150).Select(u =>
        {
            var start = random.NextInt(30);
            var direction = u % 2 == 0 ? 29 : 1;
            return $"{u} " + string.Join(' ', Enumerable.Range(0, 7).Select(i => 1 + ((start + (i * direction)) % 30)));
        }));
        return data;
    }

    /// <summary>Starts the command and kills it once its run has a checkpoint taken inside an epoch after the first.</summary>
    private static void KillMidRun(string[] arguments, string runDirectory)
    {
        using var process = CliProcess.StartInBackground(arguments);
        var last = Path.Combine(runDirectory, TrainingLoop.LastFile);
        CliProcess.KillWhen(process, () => File.Exists(last) && TrainingLoop.ReadState(last) is { Epoch: >= 1, Batch: > 0 },
            $"lodestar {string.Join(' ', arguments)} ended before it could be killed mid-run");
        Assert.Equal(RunStatus.Running, System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(runDirectory, "run.json"))).RootElement.GetProperty("status").GetString());
    }

    /// <summary>Every tensor of both checkpoints (weights, and in last.safetensors the AdamW moments) is equal bit for bit.</summary>
    private static void AssertSameWeights(string straight, string resumed)
    {
        foreach (var file in new[] { TrainingLoop.BestFile, TrainingLoop.LastFile })
        {
            using var a = SafeTensorsFile.Read(Path.Combine(straight, file));
            using var b = SafeTensorsFile.Read(Path.Combine(resumed, file));
            Assert.Equal(a.Entries.Select(e => e.Name), b.Entries.Select(e => e.Name));
            Assert.All(a.Entries, e => Assert.True(a.GetFloat32(e.Name).SequenceEqual(b.GetFloat32(e.Name)), $"{file}: {e.Name} differs after kill and resume"));
        }
    }
}
