// Readers on small files written by the tests: MovieLens 100K and 1M layouts, malformed lines reported with
// file and line (or counted under skip-bad), RFC 4180 quoting, and the splits.
using Lodestar.Data.Readers;
using Lodestar.Data.Schema;
using Lodestar.Data.Splits;
using Lodestar.Data.Storage;

namespace Lodestar.Data.Tests;

public sealed class ReaderFormatTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lodestar-readers-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text, System.Text.Encoding? encoding = null)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text, encoding ?? new System.Text.UTF8Encoding(false));
        return path;
    }

    [Fact]
    public void AManifestsDayZeroIsMidnightUtcOfItsStartDateAndABadDateIsNamed()
    {
        string Manifest(string date)
        {
            var directory = Directory.CreateDirectory(Path.Combine(_dir, $"m-{date.Replace('/', '-')}")).FullName;
            File.WriteAllText(Path.Combine(directory, WorldManifest.FileName),
                $"{{\"schema_version\": 1, \"source\": \"x\", \"seed\": 0, \"start_date\": \"{date}\", \"parameters\": {{}}, \"counts\": {{}}, \"skipped_bad_lines\": 0}}");
            return directory;
        }
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), ManifestFile.StartSeconds(Manifest("2026-01-05")));
        var error = Assert.Throws<DataFormatException>(() => ManifestFile.StartSeconds(Manifest("05/01/2026")));
        Assert.Equal("start_date", error.Field);
    }

    [Theory]
    [InlineData("\"source\": null, \"parameters\": {},", "$.source")]
    [InlineData("", "$.source")]
    [InlineData("\"source\": \"x\", \"parameters\": null,", "$.parameters")]
    [InlineData("\"source\": \"x\", \"parameters\": {},", null)]
    public void AManifestWithARequiredFieldMissingOrNullIsRefusedNamingIt(string fields, string? field)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_dir, $"m-missing-{fields.Length}")).FullName;
        File.WriteAllText(Path.Combine(directory, WorldManifest.FileName),
            $"{{\"schema_version\": 1, {fields} \"seed\": 0, \"start_date\": \"2026-01-05\", \"counts\": {{}}, \"skipped_bad_lines\": 0}}");
        if (field is null)
        {
            Assert.Equal("x", ManifestFile.Read(directory).Source);
            return;
        }
        var error = Assert.Throws<DataFormatException>(() => ManifestFile.Read(directory));
        Assert.Equal(field, error.Field);
        Assert.Contains(WorldManifest.FileName, error.Message);
    }

    [Fact]
    public void MovieLens100KImportsRatingsInTimeOrder()
    {
        var input = Path.Combine(_dir, "ml-100k");
        Directory.CreateDirectory(input);
        File.WriteAllText(Path.Combine(input, "u.data"), "196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t302\t5\t881250000\n");
        var flags = string.Join('|', Enumerable.Repeat("0", 19));
        File.WriteAllText(Path.Combine(input, "u.item"), $"242|Kolya (1996)|24-Jan-1997||http://x|{flags[..^1]}1\n302|L.A. Confidential (1997)|01-Jan-1997||http://y|0|1|{flags[4..]}\n", System.Text.Encoding.Latin1);
        var output = Path.Combine(_dir, "out");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, DataFiles.FeedImpressions), "stale file from an earlier import\n");
        var report = DataImporter.ImportMovieLens(input, output, BadLineLog.Strict);
        Assert.False(File.Exists(Path.Combine(output, DataFiles.FeedImpressions)), "a stale file of another data set must not survive an import");
        Assert.Equal(3, report.Counts[DataFiles.ItemInteractions]);
        Assert.Equal(2, report.Counts["users"]);
        var interactions = JsonlReader.Read(Path.Combine(output, DataFiles.ItemInteractions), DataJson.Compact.ItemInteraction).ToList();
        Assert.Equal([302L, 242L], interactions.Where(i => i.MemberId == 196).Select(i => i.ItemId));
        Assert.Equal([0, 1], interactions.Where(i => i.MemberId == 196).Select(i => i.Sequence));
        Assert.Equal(5f, interactions.First(i => i.MemberId == 196).Rating);
        var movies = JsonlReader.Read(Path.Combine(output, DataFiles.Posts), DataJson.Compact.Post).ToList();
        Assert.Equal("Western", movies[0].Topics.Single().Topic);
        Assert.Equal("Action", movies[1].Topics.Single().Topic);
        Assert.Equal("movielens", ManifestFile.Read(output).Source);
    }

    [Fact]
    public void MovieLens1MReadsDoubleColonFiles()
    {
        var ratings = Write("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n");
        var movies = Write("movies.dat", "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n661::James and the Giant Peach (1996)::Animation|Children's|Musical\n", System.Text.Encoding.Latin1);
        Assert.Equal(2, MovieLensReader.ReadRatings1M(ratings).Count());
        var parsed = MovieLensReader.ReadMovies1M(movies).ToList();
        Assert.Equal(3, parsed[1].Topics.Count);
        Assert.Equal(1f / 3, parsed[1].Topics[0].Weight, 5);
    }

    [Fact]
    public void MalformedLinesNameFileAndLineOrAreCountedUnderSkipBad()
    {
        var seq = Write("seq.txt", "1 1 2 3\n2 4 x 6\n3 7 8 9\n");
        var error = Assert.Throws<DataFormatException>(() => SequenceReader.Read(seq).ToList());
        Assert.Equal(2, error.Line);
        Assert.StartsWith($"{seq}:2:", error.Message);
        Assert.Contains("item 2", error.Message);
        var log = new BadLineLog(skipBad: true);
        Assert.Equal(2, SequenceReader.Read(seq, log).Count());
        Assert.Equal(1, log.Skipped);

        foreach (var (text, field, words) in new[]
        {
            ("1 1 2\n2 3 -5 4\n", "item 2", "item id -5 is outside"),
            ("1 1 2\n2 0 4\n", "item 1", "item id 0 is outside"),
            ("1 1 2\n2 2147483647\n", "item 1", "outside 1..2147483646"),
            ("1 1 2\n2 3 4\n1 5 6\n", "user_id", "user 1 already has a sequence, on line 1"),
        })
        {
            var bad = Write("bad-seq.txt", text);
            var refused = Assert.Throws<DataFormatException>(() => SequenceReader.Read(bad).ToList());
            Assert.Equal(field, refused.Field);
            Assert.Contains(words, refused.Message, StringComparison.Ordinal);
            var skipping = new BadLineLog(skipBad: true);
            Assert.Equal(text.Count(c => c == '\n') - 1, SequenceReader.Read(bad, skipping).Count());
            Assert.Equal(1, skipping.Skipped);
        }

        var behaviors = Write("behaviors.tsv", "1\tU1\t11/9/2019 8:00:00 AM\tN1 N2\tN3-1 N4-0\n2\tU2\tyesterday\t\tN3-0\n3\tU3\t11/9/2019 8:00:00 AM\t\tN3-2\n");
        error = Assert.Throws<DataFormatException>(() => MindReader.ReadBehaviors(behaviors).ToList());
        Assert.Equal((2L, "time"), (error.Line, error.Field));
        log = new BadLineLog(skipBad: true);
        Assert.Single(MindReader.ReadBehaviors(behaviors, log));
        Assert.Equal(2, log.Skipped);
        Assert.Contains(log.Examples, e => e.Contains(":3:", StringComparison.Ordinal) && e.Contains("impressions", StringComparison.Ordinal));

        var ratings = Write("u.data", "1\t2\t3\t100\n1\t2\n");
        error = Assert.Throws<DataFormatException>(() => MovieLensReader.ReadRatings100K(ratings).ToList());
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void CsvReaderFollowsRfc4180()
    {
        var path = Write("x.csv", "a,b,c\r\n1,\"two, with comma\",\"multi\r\nline \"\"quoted\"\"\"\r\n,,\n");
        using var csv = CsvReader.Open(path);
        var rows = csv.ReadWithHeader().ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal("two, with comma", rows[0].Fields["b"]);
        Assert.Equal("multi\r\nline \"quoted\"", rows[0].Fields["c"]);
        Assert.Equal(4, rows[1].Line);
        Assert.Equal("", rows[1].Fields["a"]);

        var bad = Write("bad.csv", "a,b\n1,\"open\n2,3\n");
        using var badCsv = CsvReader.Open(bad);
        var error = Assert.Throws<DataFormatException>(() => badCsv.ReadWithHeader().ToList());
        Assert.Equal(2, error.Line);
        var short_ = Write("short.csv", "a,b\n1,2\n3\n");
        using var shortCsv = CsvReader.Open(short_);
        Assert.Equal(3, Assert.Throws<DataFormatException>(() => shortCsv.ReadWithHeader().ToList()).Line);
    }

    [Fact]
    public void ARequiredFieldMissingOrNullIsNamedWithItsPath()
    {
        // A mangled key leaves a non-nullable field null after deserialisation; the reader must name it, not hand the null on.
        const string Valid = """
            {"id":1,"headline":"Civil engineer at Aurara Logistics | lean manufacturing, project management","current_title":"civil engineer","occupation_id":28,"seniority":"mid_senior","years_of_experience":9,"skills":["lean manufacturing","project management","surveying","thermodynamics"],"industry":"manufacturing","location":{"city":"Madrid","region":"Madrid","country":"ES"},"remote_preference":"hybrid","education":[{"degree":"bachelor","field":"electrical engineering","school":"University of Singapore","graduation_year":2017}],"work_history":[{"title":"mechanical engineer","occupation_id":26,"company_id":25,"company_name":"Kesio Group","industry":"manufacturing","seniority":"entry","start_day":-3285,"end_day":-1842},{"title":"civil engineer","occupation_id":28,"company_id":9,"company_name":"Solion Systems","industry":"manufacturing","seniority":"associate","start_day":-1841,"end_day":-398},{"title":"civil engineer","occupation_id":28,"company_id":12,"company_name":"Aurara Logistics","industry":"manufacturing","seniority":"mid_senior","start_day":-397}],"credentials":["professional engineer licence"],"work_authorisations":["ES","US"],"activity_level":"dormant","join_day":-72}
            """;
        Assert.Single(JsonlReader.Read(Write("ok.jsonl", Valid + "\n"), DataJson.Compact.Member));
        foreach (var (broken, field) in new[]
        {
            (Valid.Replace("\"skills\":", "\"skillz\":", StringComparison.Ordinal), "$.skills"),
            (Valid.Replace("\"headline\":\"Civil engineer at Aurara Logistics | lean manufacturing, project management\"", "\"headline\":null", StringComparison.Ordinal), "$.headline"),
            (Valid.Replace("\"city\":\"Madrid\",", "", StringComparison.Ordinal), "$.location.city"),
            (Valid.Replace("\"school\":\"University of Singapore\",", "", StringComparison.Ordinal), "$.education[0].school"),
        })
        {
            Assert.NotEqual(Valid, broken);
            var path = Write("broken.jsonl", Valid + "\n" + broken + "\n");
            var error = Assert.Throws<DataFormatException>(() => JsonlReader.Read(path, DataJson.Compact.Member).ToList());
            Assert.Equal((2L, field), (error.Line, error.Field));
        }
    }

    [Fact]
    public void ANumberNoFloatHoldsIsNamedWithItsPathInsteadOfReadAsInfinity()
    {
        // 1e39 is past float's range: System.Text.Json reads it as infinity, which no writer can put back into JSON.
        const string Valid = """{"id":7,"author_member_id":3,"topics":[{"topic":"careers","weight":0.75},{"topic":"hiring","weight":0.25}],"format":"text","text":"Hiring!","time":1767571200,"day":0}""";
        Assert.Single(JsonlReader.Read(Write("post.jsonl", Valid + "\n"), DataJson.Compact.Post));
        var path = Write("post-inf.jsonl", Valid + "\n" + Valid.Replace("\"weight\":0.25", "\"weight\":1e39", StringComparison.Ordinal) + "\n");
        var error = Assert.Throws<DataFormatException>(() => JsonlReader.Read(path, DataJson.Compact.Post).ToList());
        Assert.Equal((2L, "$.topics[1].weight"), (error.Line, error.Field));
        Assert.Contains("not a finite number", error.Message);
        const string Impression = """{"id":1,"session_id":1,"member_id":3,"post_id":7,"position":0,"time":1767571200,"day":0,"click":true,"skip":false,"long_dwell":false,"like":false,"comment":false,"share":false,"dwell_seconds":-1e40}""";
        var impression = Assert.Throws<DataFormatException>(() => JsonlReader.Read(Write("impression.jsonl", Impression + "\n"), DataJson.Compact.FeedImpression).ToList());
        Assert.Equal("$.dwell_seconds", impression.Field);
    }

    [Fact]
    public void SplitsAreTimeBasedAndMemberDisjoint()
    {
        var time = TimeSplit.LastDays(30, 3, 4);
        Assert.Equal((SplitPart.Train, SplitPart.Validation, SplitPart.Test), (time.PartOf(22), time.PartOf(23), time.PartOf(26)));
        Assert.Throws<ArgumentException>(() => TimeSplit.LastDays(5, 2, 3));
        var (train, validation, test) = time.Apply(Enumerable.Range(0, 30), d => d);
        Assert.Equal((23, 3, 4), (train.Count, validation.Count, test.Count));

        var cold = new ColdStartSplit(0.2, Seed: 3);
        var members = Enumerable.Range(1, 10_000).Select(i => (long)i).ToList();
        var (coldTrain, coldTest) = cold.Apply(members.SelectMany(m => new[] { m, m }), m => m);
        Assert.Empty(coldTrain.Intersect(coldTest));
        Assert.InRange(coldTest.Distinct().Count(), 1800, 2200);
        Assert.Equal(coldTest, new ColdStartSplit(0.2, 3).Apply(members.SelectMany(m => new[] { m, m }), m => m).Test);
    }
}
