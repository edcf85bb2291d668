// The schema's JSON contract: snake_case names and enum values, lossless JSONL round trips, atomic
// writes, and malformed lines reported with file and line (or counted under skip-bad).
using Lodestar.Core;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;

namespace Lodestar.Data.Tests;

public sealed class SchemaJsonTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lodestar-schema-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static Member SampleMember(long id) => new(
        id, "Data engineer building pipelines", "Data Engineer", 7, Seniority.MidSenior, 6,
        ["python", "sql"], "software", new Location("Berlin", "Berlin", "DE"), WorkplaceType.Hybrid,
        [new Education(DegreeLevel.Master, "computer science", "TU Berlin", 2018)],
        [new Position("Analyst", 3, 12, "Acme", "software", Seniority.Entry, -2000, -900), new Position("Data Engineer", 7, null, "Beta", "software", Seniority.MidSenior, -899, null)],
        ["aws certified"], ["DE"], ActivityLevel.Regular, -900);

    [Fact]
    public void MemberRoundTripsWithSnakeCaseNames()
    {
        var path = Path.Combine(_dir, DataFiles.Members);
        var written = new[] { SampleMember(1), SampleMember(2) };
        JsonlReader.WriteAll(path, DataJson.Compact.Member, written);
        var text = File.ReadAllText(path);
        Assert.Contains("\"current_title\":\"Data Engineer\"", text);
        Assert.Contains("\"seniority\":\"mid_senior\"", text);
        Assert.Contains("\"remote_preference\":\"hybrid\"", text);
        Assert.DoesNotContain("\"end_day\":null", text);
        Assert.Equal(2, text.Count(c => c == '\n'));
        var read = JsonlReader.Read(path, DataJson.Compact.Member).ToList();
        Assert.Equal(2, read.Count);
        Assert.Equal(written[1].WorkHistory, read[1].WorkHistory);
        Assert.Equal(written[0].Skills, read[0].Skills);
        Assert.Equal(written[0].Location, read[0].Location);
    }

    [Fact]
    public void MalformedLineNamesFileLineAndField()
    {
        var path = Path.Combine(_dir, DataFiles.JobEvents);
        File.WriteAllText(path, "{\"id\":1,\"member_id\":2,\"job_id\":3,\"action\":\"apply\",\"time\":10,\"day\":0}\n{\"id\":2,\"member_id\":2,\"job_id\":3,\"action\":\"bogus\",\"time\":10,\"day\":0}\n");
        var error = Assert.Throws<DataFormatException>(() => JsonlReader.Read(path, DataJson.Compact.JobEvent).ToList());
        Assert.Equal(2, error.Line);
        Assert.Equal("$.action", error.Field);
        Assert.Contains($"{path}:2", error.Message);

        var log = new BadLineLog(skipBad: true);
        var events = JsonlReader.Read(path, DataJson.Compact.JobEvent, log).ToList();
        Assert.Single(events);
        Assert.Equal(JobAction.Apply, events[0].Action);
        Assert.Equal(1, log.Skipped);
        Assert.Contains(":2:", log.Examples[0]);
    }

    [Fact]
    public void UncompletedWriterLeavesNoFile()
    {
        var path = Path.Combine(_dir, DataFiles.Posts);
        using (var writer = new JsonlWriter<Post>(path, DataJson.Compact.Post))
        {
            writer.Write(new Post(1, 2, null, [new TopicWeight("ml", 1f)], PostFormat.Video, "hello", 100, 0));
        }
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(_dir, "*" + AtomicFile.TempSuffix));
    }
}
