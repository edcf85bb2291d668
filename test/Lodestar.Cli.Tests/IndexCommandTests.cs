// `lodestar index build|search|stats` on a .npy file written by NumPy, run as a process: the index answers
// with the nearest items by cosine, filters apply, and bad requests name what is wrong.
using System.Text.Json;
using Lodestar.Index;
using Lodestar.TestSupport;

namespace Lodestar.Cli.Tests;

public sealed class IndexCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-index-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void BuildThenSearchByIdAndStats()
    {
        var index = Path.Combine(_directory, "idx");
        var (built, _) = CliProcess.Run("index", "build", "--embeddings", RepoPaths.Golden("index/matrix_3x4_f32.npy"), "--index", index, "--json");
        using (var result = JsonDocument.Parse(built))
        {
            Assert.Equal(3, result.RootElement.GetProperty("items").GetInt32());
            Assert.Equal(4, result.RootElement.GetProperty("dimension").GetInt32());
        }
        // Row 0 is (0, .1, .2, .3): row 1 is nearer by cosine (0.905) than row 2 (0.867); row 0 itself is excluded.
        var (found, _) = CliProcess.Run("index", "search", "--index", index, "--id", "0", "--k", "5", "--json");
        var hits = found.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal([1L, 2L], hits.Select(h => h.GetProperty("id").GetInt64()));
        Assert.Equal(0.9047, hits[0].GetProperty("score").GetDouble(), tolerance: 1e-3);
        // The int8 scan keeps every row of so small an index as a candidate and rescores it exactly: the same answer.
        var (int8, _) = CliProcess.Run("index", "search", "--index", index, "--id", "0", "--k", "5", "--int8", "--json");
        Assert.Equal(found, int8);
        var (excluded, _) = CliProcess.Run("index", "search", "--index", index, "--vector", "0,0.1,0.2,0.3", "--exclude", "0,1", "--json");
        Assert.Equal(2L, JsonDocument.Parse(excluded.Trim()).RootElement.GetProperty("id").GetInt64());
        var (stats, _) = CliProcess.Run("index", "stats", "--index", index, "--json");
        Assert.Equal(3, JsonDocument.Parse(stats).RootElement.GetProperty("items").GetInt32());
        // A writer holding the folder (this process) does not keep a reader out, and the reader sees its acknowledged upsert.
        using (var writer = DurableIndex.Open(index, 4))
        {
            writer.Upsert(7, [0f, 0.1f, 0.2f, 0.3f]);
            var (beside, _) = CliProcess.Run("index", "search", "--index", index, "--id", "0", "--k", "1", "--json");
            Assert.Equal(7L, JsonDocument.Parse(beside.Trim()).RootElement.GetProperty("id").GetInt64());
        }
    }

    [Fact]
    public void BadRequestsExitWithTheReason()
    {
        var index = Path.Combine(_directory, "idx");
        CliProcess.Run("index", "build", "--embeddings", RepoPaths.Golden("index/matrix_3x4_f32.npy"), "--index", index);
        Assert.Contains("--vector has 2 numbers, the index has D = 4", CliProcess.Fail("index", "search", "--index", index, "--vector", "1,2"), StringComparison.Ordinal);
        Assert.Contains("--id 99: no such item", CliProcess.Fail("index", "search", "--index", index, "--id", "99"), StringComparison.Ordinal);
        Assert.Contains("no index.lsix", CliProcess.Fail("index", "stats", "--index", Path.Combine(_directory, "none")), StringComparison.Ordinal);
        Assert.Contains("dtype <f8", CliProcess.Fail("index", "build", "--embeddings", RepoPaths.Golden("index/matrix_3x4_f64.npy"), "--index", index), StringComparison.Ordinal);
    }
}
