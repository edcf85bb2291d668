// `lodestar feed eval` measures a run's best weights again to the figures the run recorded, refuses a world changed
// since; `lodestar feed score` scores a member's posts from the days before the request as the ranker does for a
// held-out day, and names an unknown member, an unknown post and a post from after the request.
using System.Text.Json;
using Lodestar.Features.FeedRanking;
using Lodestar.Features.Retrieval;
using Lodestar.Models.FeedRanking;

namespace Lodestar.Cli.Tests;

public sealed class FeedCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-feed-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string TrainSmallRun()
    {
        var world = Path.Combine(_directory, "world");
        CliProcess.Run("world", "generate", "--out", world, "--members", "300", "--days", "10", "--seed", "5", "--json");
        var config = Path.Combine(_directory, "feed.json");
        File.WriteAllText(config, $$"""
            {
              "world": "{{world}}", "evaluation_days": 50, "data": { "validation_days": 2, "test_days": 2 },
              "model": { "max_history": 8, "channels": 16, "heads": 2, "feed_forward": 32, "layers": 1, "experts": 2, "expert_width": 16 },
              "training": { "epochs": 2, "batch_size": 8, "patience": 10 }
            }
            """);
        var run = Path.Combine(_directory, "run");
        CliProcess.Run("feed", "train", "--config", config, "--run", run, "--json");
        return run;
    }

    [Fact]
    public void AuditFairnessWritesAReportPerRunPrintsOnlyJsonAndRefusesWhatItCannotAudit()
    {
        var run = TrainSmallRun();
        var output = Path.Combine(_directory, "audit");
        var result = CliProcess.Run("audit", "fairness", "--runs", run, "--out", output, "--json");
        using var summary = JsonDocument.Parse(result.Output);
        var report = summary.RootElement.GetProperty("reports")[0];
        Assert.Equal(Path.Combine(output, "run.html"), report.GetProperty("report").GetString());
        Assert.Contains("injected-first", File.ReadAllText(Path.Combine(output, "run.html")), StringComparison.Ordinal);
        using var numbers = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "run.json")));
        Assert.Equal(6, numbers.RootElement.GetProperty("rankers").GetArrayLength());
        Assert.Equal(0, report.GetProperty("invariance").GetProperty("scores_differing").GetInt64());

        Assert.Contains("pass --force", CliProcess.Fail("audit", "fairness", "--runs", run, "--out", output), StringComparison.Ordinal);
        var notFeed = Path.Combine(_directory, "not-feed");
        Directory.CreateDirectory(notFeed);
        File.WriteAllText(Path.Combine(notFeed, "run.json"), """{ "task": "seqrec.sasrec" }""");
        Assert.Contains("a seqrec.sasrec run; the fairness audit reads feed.ranker, retrieval.dual-encoder and job-matching.* runs", CliProcess.Fail("audit", "fairness", "--runs", notFeed, "--out", output), StringComparison.Ordinal);
        Assert.Contains("--attention: 'cubic'", CliProcess.Fail("audit", "fairness", "--runs", run, "--out", output, "--force", "--attention", "cubic"), StringComparison.Ordinal);
    }

    [Fact]
    public void EvalMeasuresTheRecordedFiguresAgainAndRefusesAChangedWorld()
    {
        var run = TrainSmallRun();
        using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json")));
        using var evaluation = JsonDocument.Parse(CliProcess.Run("feed", "eval", "--run", run, "--json").Output);
        Assert.Equal(Figures(record.RootElement.GetProperty("test")), Figures(evaluation.RootElement.GetProperty("test")));
        Assert.Equal(Figures(record.RootElement.GetProperty("best_validation")), Figures(evaluation.RootElement.GetProperty("validation")));

        var impressions = Path.Combine(_directory, "world", "feed_impressions.jsonl");
        File.AppendAllText(impressions, File.ReadLines(impressions).Last() + "\n");
        Assert.Contains("feed_impressions.jsonl: changed since the run trained on it", CliProcess.Fail("feed", "eval", "--run", run), StringComparison.Ordinal);
    }

    [Fact]
    public void ScoreGivesAMembersPostsTheProbabilitiesOfTheirHeldOutDayAndNamesWhatIsWrong()
    {
        var run = TrainSmallRun();
        var world = Path.Combine(_directory, "world");
        var log = FeedLog.Load(world);
        // A member's last day, scored at the time of its first impression that day: the candidates are what was shown.
        var member = log.Members.Where(m => log.ImpressionsOf(m).Any(i => i.Day == log.LastDay)).MaxBy(m => log.ImpressionsOf(m).Count);
        var shown = log.ImpressionsOf(member).Where(i => i.Day == log.LastDay).ToList();
        Assert.NotEmpty(shown);
        string[] posts = [.. shown.Select(i => i.PostId.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        using var answer = JsonDocument.Parse(CliProcess.Run(["feed", "score", "--run", run, "--member", $"{member}", "--day", $"{log.LastDay}", "--posts", .. posts, "--json"]).Output);

        var model = FeedRankerModel.Load(Path.Combine(run, "best.safetensors"));
        var dayStart = answer.RootElement.GetProperty("time").GetInt64();
        Assert.Equal(0, dayStart % 86_400);
        var request = new FeedRankingFeatures(log).Request(member, log.LastDay, dayStart, [.. shown.Select(i => i.PostId)], model.Config.MaxHistory);
        var expected = model.Score(request.History, request.Candidates, request.Features);
        var scored = answer.RootElement.GetProperty("posts").EnumerateArray().ToList();
        Assert.Equal(shown.Select(i => i.PostId), scored.Select(p => p.GetProperty("post").GetInt64()));
        for (var k = 0; k < scored.Count; k++)
        {
            for (var t = 0; t < FeedTasks.Count; t++)
            {
                Assert.Equal(expected[(k * FeedTasks.Count) + t], scored[k].GetProperty("probabilities").GetProperty(FeedTasks.Names[t]).GetDouble(), 5);
            }
        }
        Assert.Equal(log.ImpressionsBefore(member, log.LastDay).Count(), answer.RootElement.GetProperty("history").GetInt32());

        Assert.Contains("--member: 99999 is not a member", CliProcess.Fail("feed", "score", "--run", run, "--member", "99999", "--posts", posts[0]), StringComparison.Ordinal);
        Assert.Contains("post 123456789 is not in the feed log", CliProcess.Fail("feed", "score", "--run", run, "--member", $"{member}", "--posts", "123456789"), StringComparison.Ordinal);
        var latest = log.Posts.Values.MaxBy(p => p.Time)!;
        Assert.Contains($"post {latest.Id} was created at", CliProcess.Fail("feed", "score", "--run", run, "--member", $"{member}", "--day", $"{latest.Day}", "--posts", $"{latest.Id}"), StringComparison.Ordinal);
    }

    private static Dictionary<string, double> Figures(JsonElement figures) => figures.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
}
