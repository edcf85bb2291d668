// A small generated world replayed through the embedded nearline pipeline, with an untrained encoder, an untrained
// feed ranker and an untrained job student small enough to score hundreds of candidates in milliseconds, served by a real Kestrel on a free port
// of 127.0.0.1. The weights do not matter to what these tests check (routing, agreement with the world's own
// features, refusals); the shapes, the store and the index are the real ones.
using System.Text.Json;
using Lodestar.Core;
using Lodestar.Data.Generation;
using Lodestar.Data.Vocabularies;
using Lodestar.Features.JobMatching;
using Lodestar.Features.Retrieval;
using Lodestar.Models.Bert;
using Lodestar.Models.FeedRanking;
using Lodestar.Models.JobMatching;
using Lodestar.Pipelines.Embedded;
using Lodestar.Pipelines.Events;
using Lodestar.Policy;
using Lodestar.Serving.Http;
using Lodestar.Serving.Jobs;
using Lodestar.Text.Prompts;
using Lodestar.Text.Tokenization;

namespace Lodestar.Serving.Tests;

public sealed class ServingWorld : IAsyncLifetime
{
    private EmbeddedPipeline? _pipeline;
    private ServingHost? _host;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("lodestar-serving-").FullName;

    public string StateDirectory => Path.Combine(Directory, "state");

    public FeedLog Log { get; private set; } = null!;

    public WorldSnapshot Snapshot { get; private set; } = null!;

    public ServingModels Models { get; private set; } = null!;

    public BpeTokenizer Tokenizer { get; private set; } = null!;

    /// <summary>The models directory the fixture's server loaded: an untrained encoder and ranker written as their runs are.</summary>
    public string ModelsDirectory => Path.Combine(Directory, "models");

    public JobCatalog Jobs { get; private set; } = null!;

    /// <summary>
    /// Writes a models directory: retrieval/ with the run record fields a reader needs, an untrained encoder's checkpoint
    /// and the world's tokenizer; feed-ranker/ with an untrained ranker's checkpoint; job-student/ with an untrained student,
    /// its feature spec and tokenizer (with <paramref name="isolatedStudent"/>, one that isolates the member's tokens of pairs
    /// rendered member first). Seeds decide the weights.
    /// </summary>
    public void WriteModels(string directory, ulong encoderSeed, ulong rankerSeed, ulong studentSeed = 7, bool isolatedStudent = false)
    {
        var student = Path.Combine(directory, ServingModels.JobStudentFolder);
        var layout = MatchDataBuilder.LayoutOf(PolicyLoader.LoadJobPolicy().Document);
        new MatchModel(MatchRole.Student, MatchModelConfig.TinyStudent with { Seed = studentSeed, IsolatedMember = isolatedStudent }, Tokenizer.VocabSize, layout)
            .Save(Path.Combine(student, RunFiles.Best));
        MatchFeatureSpec.Write(student, Path.Combine(Directory, "world"), new MatchDataConfig { MemberFirst = isolatedStudent }, Tokenizer);
        var retrieval = System.IO.Directory.CreateDirectory(Path.Combine(directory, ServingModels.RetrievalFolder)).FullName;
        var ranker = System.IO.Directory.CreateDirectory(Path.Combine(directory, ServingModels.RankerFolder)).FullName;
        new BertModel(new BertConfig { VocabSize = Tokenizer.VocabSize, Channels = 32, Heads = 2, FeedForward = 64, Layers = 1, MaxPositions = 160, Seed = encoderSeed })
            .Save(Path.Combine(retrieval, RunFiles.Best));
        TokenizerJson.Save(Tokenizer, Path.Combine(retrieval, RetrievalEncoder.TokenizerFile));
        File.WriteAllText(Path.Combine(retrieval, RunFiles.Record), JsonSerializer.Serialize(new
        {
            task = "retrieval.dual-encoder",
            config = new { world = Path.Combine(Directory, "world"), counts = "percentile", history = "positives", member_tokens = 128, post_tokens = 64 },
            data = new { counts = new { validation_start_day = 5 } },
        }));
        new FeedRankerModel(new FeedRankerConfig { MaxHistory = 24, Channels = 16, Heads = 2, FeedForward = 32, Layers = 1, Experts = 2, ExpertWidth = 8 }, rankerSeed)
            .Save(Path.Combine(ranker, RunFiles.Best));
    }

    public EmbeddedPipeline Pipeline => _pipeline!;

    public ServingHost Host => _host!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var world = Path.Combine(Directory, "world");
        WorldGenerator.Generate(new WorldConfig { Members = 200, Days = 8, Seed = 11, MatchSamplePairs = 100, JobsPerMember = 2, Threads = 1 }, BuiltInVocabulary.Create(), world);
        Log = FeedLog.Load(world);
        Snapshot = WorldSnapshot.Load(world);
        Tokenizer = MatchDataBuilder.TrainTokenizer(world, 600);
        WriteModels(ModelsDirectory, encoderSeed: 3, rankerSeed: 5);
        Models = ServingModels.Load(ModelsDirectory);
        Jobs = JobCatalog.Load(world, Snapshot);
        var retrieval = Models.Retrieval;
        var tokenizer = retrieval.Tokenizer;
        _pipeline = EmbeddedPipeline.Open(StateDirectory, retrieval, retrieval.Settings.Prompts(Snapshot, Log, tokenizer), new NearlineOptions { WindowMilliseconds = 20 });
        _pipeline.Start();
        var events = WorldEvents.Read(world);
        for (var start = 0; start < events.Count; start += 512)
        {
            _pipeline.Append([.. events.Skip(start).Take(512).Select(e => (e.Id, e.ToJson()))]);
        }
        _pipeline.Drain();
        _host = await ServingHost.StartAsync(new ServingOptions { Retrieve = 120, MaxLimit = 50 }, Models, _pipeline, Jobs, ["http://127.0.0.1:0"]);
        Client = new HttpClient { BaseAddress = new Uri(_host.Addresses[0]) };
    }

    /// <summary>A second server over the same pipeline with other options, on its own port.</summary>
    public async Task<(ServingHost Host, HttpClient Client)> StartHost(ServingOptions options)
    {
        var host = await ServingHost.StartAsync(options, Models, Pipeline, Jobs, ["http://127.0.0.1:0"]);
        return (host, new HttpClient { BaseAddress = new Uri(host.Addresses[0]) });
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        _pipeline?.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
