// The readers load every real data set in ../shared/data with exactly the counts its SOURCE.txt states,
// and a world generates from the ESCO vocabulary (skipped with a message when ../shared/data is absent).
using Lodestar.Data.Readers;
using Lodestar.Data.Schema;
using Lodestar.Data.Splits;
using Lodestar.Data.Storage;
using Lodestar.Data.Vocabularies;
using Lodestar.TestSupport;

namespace Lodestar.Data.Tests;

public sealed class RealDataReaderTests : IDisposable
{
    /// <summary>ESCO is loaded once for all tests that need it.</summary>
    internal static readonly Lazy<WorldVocabulary> Esco = new(() => EscoVocabulary.Load(RepoPaths.SharedDataFile("esco")));

    private readonly string _dir = Directory.CreateTempSubdirectory("lodestar-import-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SharedDataFact("mind-sample/behaviors.tsv")]
    public void MindSampleHasTheCountsOfItsSource()
    {
        var logs = MindReader.ReadBehaviors(RepoPaths.SharedDataFile("mind-sample/behaviors.tsv")).ToList();
        Assert.Equal(5000, logs.Count);
        Assert.Equal(4637, logs.Select(l => l.UserId).Distinct().Count());
        Assert.Equal(189_359, logs.Sum(l => l.Items.Count));
        Assert.Equal(7542, logs.Sum(l => l.Items.Count(i => i.Clicked)));
        Assert.Equal(181_817, logs.Sum(l => l.Items.Count(i => !i.Clicked)));
        Assert.Equal(107, logs.Count(l => l.History.Count == 0));
        Assert.Equal(32.0, logs.Average(l => l.History.Count), 1);
        Assert.Equal(283, logs.Max(l => l.Items.Count));
        Assert.Equal(7457, logs.SelectMany(l => l.Items).Select(i => i.NewsId).Distinct().Count());
        var first = DateTimeOffset.FromUnixTimeSeconds(logs.Min(l => l.Time)).UtcDateTime;
        var last = DateTimeOffset.FromUnixTimeSeconds(logs.Max(l => l.Time)).UtcDateTime;
        Assert.Equal(new DateTime(2019, 11, 9, 0, 1, 0), first.AddSeconds(-first.Second));
        Assert.Equal(new DateTime(2019, 11, 14, 23, 50, 0), last.AddSeconds(-last.Second));

        var news = MindReader.ReadNews(RepoPaths.SharedDataFile("mind-sample/news.tsv")).ToList();
        Assert.Equal(2000, news.Count);
        Assert.Equal(15, news.Select(n => n.Topics[0].Topic).Distinct().Count());
        var newsIds = news.Select(n => n.Id).ToHashSet();
        Assert.Equal(284, logs.SelectMany(l => l.Items).Select(i => i.NewsId).Distinct().Count(newsIds.Contains));
    }

    [SharedDataFact("mind-sample/behaviors.tsv")]
    public void MindImportWritesTheSameSchema()
    {
        var report = DataImporter.ImportMind(RepoPaths.SharedDataFile("mind-sample"), _dir, BadLineLog.Strict);
        Assert.Equal(189_359, report.Counts[DataFiles.FeedImpressions]);
        Assert.Equal(2000, report.Counts[DataFiles.Posts]);
        Assert.Equal(4637, report.Counts["users"]);
        var manifest = ManifestFile.Read(_dir);
        Assert.Equal("mind", manifest.Source);
        Assert.Equal("2019-11-09", manifest.StartDate);
        var impressions = JsonlReader.Read(Path.Combine(_dir, DataFiles.FeedImpressions), DataJson.Compact.FeedImpression).ToList();
        Assert.Equal(7542, impressions.Count(i => i.Click));
        Assert.InRange(impressions.Max(i => i.Day), 5, 5);
    }

    [SharedDataTheory("seqrec-amazon/Beauty.txt")]
    [InlineData("Beauty.txt", 22_363, 12_101, 198_502)]
    [InlineData("Sports_and_Outdoors.txt", 35_598, 18_357, 296_337)]
    public void AmazonSequencesHaveTheCountsOfTheirSource(string file, int users, int items, int interactions)
    {
        var sequences = SequenceReader.Read(RepoPaths.SharedDataFile($"seqrec-amazon/{file}")).ToList();
        Assert.Equal(users, sequences.Count);
        Assert.Equal(items, sequences.SelectMany(s => s.Items).Distinct().Count());
        Assert.Equal(interactions, sequences.Sum(s => s.Items.Count));
        Assert.Equal(5, sequences.Min(s => s.Items.Count));
        Assert.Equal(items, sequences.SelectMany(s => s.Items).Max());
    }

    [SharedDataFact("esco/occupations_en.csv")]
    public void EscoVocabularyLoadsEveryOccupation()
    {
        var vocabulary = Esco.Value;
        Assert.Equal(2942, vocabulary.Occupations.Count);
        var director = vocabulary.Occupations.Single(o => o.Label == "technical director");
        Assert.Contains("head of technical department", director.AltTitles);
        Assert.Equal("2166", director.Group);
        Assert.All(vocabulary.Occupations, o => Assert.True(o.Skills.Count >= 5));
        Assert.Contains(vocabulary.OccupationLicence, l => l is not null);
        Assert.All(vocabulary.OccupationsByFamily, f => Assert.NotEmpty(f));
    }

    [SharedDataFact("esco/ISCOGroups_en.csv")]
    public void CsvReaderKeepsQuotedMultiLineFields()
    {
        using var csv = CsvReader.Open(RepoPaths.SharedDataFile("esco/ISCOGroups_en.csv"));
        var rows = csv.ReadWithHeader().ToList();
        Assert.Equal(619, rows.Count);
        Assert.Contains('\n', rows[0].Fields["inScheme"]);
    }
}

public sealed class EscoWorldTests
{
    [SharedDataFact("esco/occupations_en.csv")]
    public void WorldGeneratesFromEscoVocabulary()
    {
        var directory = Directory.CreateTempSubdirectory("lodestar-esco-world-").FullName;
        try
        {
            var vocabulary = RealDataReaderTests.Esco.Value;
            var config = new Generation.WorldConfig { Seed = 3, Members = 800, Days = 3, MatchSamplePairs = 50 };
            Generation.WorldGenerator.Generate(config, vocabulary, directory);
            var titles = vocabulary.Occupations.SelectMany(o => o.AltTitles.Append(o.Label)).ToHashSet();
            var jobs = JsonlReader.Read(Path.Combine(directory, DataFiles.Jobs), DataJson.Compact.Job).ToList();
            Assert.All(jobs, j => Assert.Contains(j.Title, titles));
            Assert.Equal(2942, JsonlReader.Read(Path.Combine(directory, DataFiles.Occupations), DataJson.Compact.Occupation).Count());
            Assert.StartsWith("esco:", ManifestFile.Read(directory).Parameters.GetProperty("vocabulary").GetString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
