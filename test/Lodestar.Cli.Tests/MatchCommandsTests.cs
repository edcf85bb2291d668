// The job-matching commands (--help is checked with the command tree): a bad config names file and field, and the full
// quickstart (slow) writes an HTML report with SVG charts and the same numbers (policy and truth NDCG, speed rounds) as JSON.
using System.Text.Json;

namespace Lodestar.Cli.Tests;

public class MatchCommandsTests
{
    [Fact]
    public void BadConfigFailsWithTheFileAndField()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lodestar-bad-config-{Environment.ProcessId}.json");
        File.WriteAllText(path, "{\n  \"training\": { \"epochs\": \"many\" }\n}");
        try
        {
            Assert.Equal(1, Program.Main(["match", "train", "policy-teacher", "--config", path]));
            // The message CommandRunner prints (stderr is not captured: test classes run in parallel).
            var error = Assert.Throws<InvalidDataException>(() => Lodestar.Training.JobMatching.MatchTrainingConfig.Load(path));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains("$.training.epochs", error.Message, StringComparison.Ordinal);
            Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task QuickstartWritesTheReport()
    {
        var directory = Directory.CreateTempSubdirectory("lodestar-quickstart-").FullName;
        try
        {
            var result = QuickstartCommand.Run(directory, members: 600, epochs: 2, seed: 3, experiment: false, asJson: true);
            var html = File.ReadAllText(result.Report);
            Assert.Contains("<svg", html, StringComparison.Ordinal);
            Assert.Contains("policy-teacher", html, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(File.ReadAllText(result.Json));
            var models = json.RootElement.GetProperty("evaluation").GetProperty("models");
            Assert.Equal(3, models.GetArrayLength());
            Assert.True(models[0].GetProperty("parameters").GetInt64() >= 10 * models[2].GetProperty("parameters").GetInt64());
            // Policy NDCG@10 is its own column beside truth NDCG@10, and the batch-64 speed keeps every protocol round.
            Assert.Contains("ndcg@10/policy", html, StringComparison.Ordinal);
            var metrics = models[2].GetProperty("metrics");
            Assert.InRange(metrics.GetProperty("ndcg@10/policy").GetDouble(), 0.0, 1.0);
            Assert.NotEqual(metrics.GetProperty("ndcg@10/policy").GetDouble(), metrics.GetProperty("ndcg@10/truth").GetDouble());
            Assert.Equal(QuickstartCommand.QuickstartSpeedRounds, models[2].GetProperty("speed").GetProperty("rounds").GetProperty("rounds").GetArrayLength());
            // The feed's two runs land in the models directory the server loads, each with its report.
            var served = Lodestar.Serving.ServingModels.Load(result.Models);
            Assert.Equal(result.World, served.Retrieval.Settings.World);
            Assert.All(result.FeedReports, report => Assert.True(File.Exists(report), report));
            // Read at a glance in a real browser: every section says what it shows, no labels collide, one scale a chart, rounded numbers.
            foreach (var report in result.FeedReports.Prepend(result.Report))
            {
                Assert.Empty(await Lodestar.TestSupport.ReportInChromium.Problems(report));
            }
            // A second quickstart into the same directory reuses every finished run instead of refusing or retraining it.
            string[] runRecords = [.. new[] { Lodestar.Core.ModelFolders.Retrieval, Lodestar.Core.ModelFolders.FeedRanker, Lodestar.Core.ModelFolders.JobStudent }
                .Select(folder => Path.Combine(result.Models, folder, Lodestar.Core.RunFiles.Record))];
            var before = runRecords.Select(File.ReadAllText).ToList();
            QuickstartCommand.Run(directory, members: 600, epochs: 2, seed: 3, experiment: false, asJson: true);
            Assert.Equal(before, runRecords.Select(File.ReadAllText));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
