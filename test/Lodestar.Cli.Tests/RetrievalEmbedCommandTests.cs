// `lodestar retrieval embed` writes a trained run's posts (or the world's members) into the file `lodestar index build`
// reads: every post once with its id and creation time, unit rows the index accepts, and a search by a post's id
// answers with other posts.
using System.Text.Json;

namespace Lodestar.Cli.Tests;

public sealed class RetrievalEmbedCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-retrieval-embed-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ARunsPostsAndMembersGoIntoAnIndexAndItAnswers()
    {
        var config = SmallRetrievalRun.WriteConfig(_directory, """{ "epochs": 1, "batch_size": 16 }""");
        var run = Path.Combine(_directory, "run");
        CliProcess.Run("retrieval", "train", "--config", config, "--run", run, "--json");
        var world = Path.Combine(_directory, "world");
        var posts = File.ReadLines(Path.Combine(world, "posts.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(p => p.GetProperty("id").GetInt64(), p => p.GetProperty("time").GetInt64());

        var file = Path.Combine(_directory, "posts.safetensors");
        var (embedded, _) = CliProcess.Run("retrieval", "embed", "--run", run, "--out", file, "--json");
        using (var summary = JsonDocument.Parse(embedded))
        {
            Assert.Equal(posts.Count, summary.RootElement.GetProperty("count").GetInt32());
            Assert.Equal(16, summary.RootElement.GetProperty("dimension").GetInt32());
        }
        using (var tensors = Lodestar.Tensors.Serialization.SafeTensorsFile.Read(file))
        {
            var ids = tensors.GetInt64("ids").ToArray();
            Assert.Equal(posts.Keys.Order(), ids.Order());
            Assert.Equal(ids.Select(id => posts[id]), tensors.GetInt64("created_at").ToArray());
        }
        var index = Path.Combine(_directory, "index");
        var (built, _) = CliProcess.Run("index", "build", "--embeddings", file, "--index", index, "--json");
        Assert.Equal(posts.Count, JsonDocument.Parse(built).RootElement.GetProperty("items").GetInt32());
        var first = posts.Keys.Min();
        var (found, _) = CliProcess.Run("index", "search", "--index", index, "--id", first.ToString(System.Globalization.CultureInfo.InvariantCulture), "--k", "5", "--json");
        var hits = found.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(5, hits.Count);
        Assert.All(hits, id => Assert.True(posts.ContainsKey(id) && id != first));

        var members = Path.Combine(_directory, "members.safetensors");
        var (memberSummary, _) = CliProcess.Run("retrieval", "embed", "--run", run, "--members", "--day", "3", "--out", members, "--json");
        Assert.Equal(File.ReadLines(Path.Combine(world, "members.jsonl")).Count(), JsonDocument.Parse(memberSummary).RootElement.GetProperty("count").GetInt32());
        Assert.Contains("no run record", CliProcess.Fail("retrieval", "embed", "--run", Path.Combine(_directory, "absent"), "--out", file), StringComparison.Ordinal);
        // Another task's run (the world directory has no run record either way) is refused before anything is read.
        var feedRun = Directory.CreateDirectory(Path.Combine(_directory, "feed-run")).FullName;
        File.WriteAllText(Path.Combine(feedRun, "run.json"), """{ "task": "feed.ranker" }""");
        Assert.Contains("a retrieval.* run is needed", CliProcess.Fail("retrieval", "embed", "--run", feedRun, "--out", file), StringComparison.Ordinal);
    }
}
