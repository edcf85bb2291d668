// A small generated world and an untrained encoder small enough to embed every prompt of a replay in seconds: what
// the pipeline tests replay. The encoder's weights do not matter to freshness or exactly-once; its shape and the
// prompts it reads are the real ones.
using Lodestar.Data.Generation;
using Lodestar.Data.Vocabularies;
using Lodestar.Features.JobMatching;
using Lodestar.Features.Retrieval;
using Lodestar.Models.Bert;
using Lodestar.Pipelines.Embedded;
using Lodestar.Pipelines.Events;
using Lodestar.Text.Prompts;

namespace Lodestar.Pipelines.Tests;

public sealed class NearlineWorld : IDisposable
{
    public NearlineWorld()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("lodestar-nearline-").FullName;
        WorldGenerator.Generate(new WorldConfig { Members = 200, Days = 8, Seed = 11, MatchSamplePairs = 100, Threads = 1 }, BuiltInVocabulary.Create(), Directory);
        Log = FeedLog.Load(Directory);
        Snapshot = WorldSnapshot.Load(Directory);
        Events = WorldEvents.Read(Directory);
        var tokenizer = MatchDataBuilder.TrainTokenizer(Directory, 600);
        var model = new BertModel(new BertConfig { VocabSize = tokenizer.VocabSize, Channels = 32, Heads = 2, FeedForward = 64, Layers = 1, MaxPositions = 160, Seed = 3 });
        Encoder = new RetrievalEncoder(model, tokenizer, new RetrievalPromptSettings(Directory, CountFormat.Percentile, HistoryMode.Positives, 128, 64, FitBefore: 5), "untrained");
    }

    public string Directory { get; }

    public FeedLog Log { get; }

    public WorldSnapshot Snapshot { get; }

    public IReadOnlyList<NearlineEvent> Events { get; }

    public RetrievalEncoder Encoder { get; }

    /// <summary>A pipeline in a fresh folder (or <paramref name="folder"/> again, to resume).</summary>
    public EmbeddedPipeline Open(string folder, NearlineOptions? options = null) =>
        EmbeddedPipeline.Open(folder, Encoder, Encoder.Settings.Prompts(Snapshot, Log, Encoder.Tokenizer), options ?? new NearlineOptions { WindowMilliseconds = 20 });

    public string NewFolder()
    {
        var folder = System.IO.Directory.CreateTempSubdirectory("lodestar-nearline-run-").FullName;
        lock (_folders)
        {
            _folders.Add(folder);
        }
        return folder;
    }

    private readonly List<string> _folders = [];

    public void Dispose()
    {
        foreach (var folder in _folders.Append(Directory))
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
    }
}
