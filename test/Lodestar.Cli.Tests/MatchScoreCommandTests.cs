// `lodestar match score`: a trained student's run directory scores a member's jobs as one JSON object, and an
// unknown member or a run without a feature spec is one line and exit code 1.
using System.Text.Json;
using Lodestar.Data.Generation;
using Lodestar.Data.Vocabularies;
using Lodestar.TestSupport;

namespace Lodestar.Cli.Tests;

public sealed class MatchScoreCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-match-score-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ScoresAMembersJobsFromTheRunDirectory()
    {
        WorldGenerator.Generate(new WorldConfig { Seed = 5, Members = 200, Days = 10 }, BuiltInVocabulary.Create(), Path.Combine(_directory, "world"));
        var run = Path.Combine(_directory, "runs", "student");
        Directory.CreateDirectory(run);
        foreach (var name in new[] { "best.safetensors", "features.json", "tokenizer.json" })
        {
            File.Copy(RepoPaths.Golden($"scoring/student/{name}"), Path.Combine(run, name));
        }

        var (output, _) = CliProcess.Run("match", "score", "--run", run, "--member", "17", "--top", "3", "--json");
        var answer = JsonDocument.Parse(output).RootElement;
        Assert.Equal(17, answer.GetProperty("member").GetInt64());
        Assert.Equal("job-matching.student", answer.GetProperty("model").GetString());
        var overall = answer.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("overall").GetSingle()).ToArray();
        Assert.Equal(3, overall.Length);
        Assert.True(overall[0] >= overall[1] && overall[1] >= overall[2]);

        var error = CliProcess.Fail("match", "score", "--run", run, "--member", "99999");
        Assert.Contains("member 99999 is not in the world", error, StringComparison.Ordinal);
        File.Delete(Path.Combine(run, "features.json"));
        error = CliProcess.Fail("match", "score", "--run", run, "--member", "17");
        Assert.Contains("features.json", error, StringComparison.Ordinal);
    }
}
