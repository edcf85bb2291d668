// The fuzz targets of a world's other files, the nearline event line, prompt templates, run configs and ONNX models.
// Seeds come from real outputs: a tiny generated world, the built-in templates, default configs, a small ONNX graph.
using System.Text;
using System.Text.Json;
using Lodestar.Data.Generation;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Data.Vocabularies;
using Lodestar.Pipelines.Events;
using Lodestar.Tensors.Serialization.Onnx;
using Lodestar.Text.Prompts;
using Lodestar.Training.FeedRanking;
using Lodestar.Training.JobMatching;
using Lodestar.Training.Loop;
using Lodestar.Training.Retrieval;
using Lodestar.Training.SeqRec;

namespace Lodestar.Fuzz;

public static partial class FuzzTargets
{
    /// <summary>Each record type's reader over the whole input; a type's refusal (DataFormatException) is documented, and
    /// the next type is tried.</summary>
    private static void WorldJsonl(byte[] input)
    {
        var path = InputFile(input, ".jsonl");
        Read(path, DataJson.Compact.Company, c => c.Name.Length);
        Read(path, DataJson.Compact.Job, j => j.RequiredSkills.Count + j.Title.Length);
        Read(path, DataJson.Compact.Post, p => p.Topics.Count + p.Text.Length);
        Read(path, DataJson.Compact.FeedImpression, i => i.Position);
        Read(path, DataJson.Compact.JobEvent, e => (int)e.Action);
        Read(path, DataJson.Compact.RecruiterSearch, s => s.ResultMemberIds.Count + s.QuerySkills.Count);
        Read(path, DataJson.Compact.ItemInteraction, i => (int)i.ItemId);
        Read(path, DataJson.Compact.ProfileChange, c => c.Member.Skills.Count + c.Member.Headline.Length);
        Read(path, DataJson.Compact.Occupation, o => o.Label.Length + o.Skills.Count);
    }

    private static void Read<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, Func<T, int> use)
    {
        try
        {
            foreach (var record in JsonlReader.Read(path, type))
            {
                _ = use(record);
            }
        }
        catch (DataFormatException)
        {
            // Not a file of this type: refused, naming the line and field.
        }
    }

    private static IEnumerable<(string, byte[])> WorldJsonlSeeds()
    {
        var world = TinyWorld();
        foreach (var file in new[] { DataFiles.Companies, DataFiles.Jobs, DataFiles.Posts, DataFiles.FeedImpressions, DataFiles.JobEvents,
            DataFiles.RecruiterSearches, DataFiles.ProfileChanges, DataFiles.Occupations })
        {
            var lines = File.ReadLines(Path.Combine(world, file)).Take(3).ToList();
            if (lines.Count > 0)
            {
                yield return (Path.GetFileNameWithoutExtension(file), Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
            }
        }
        yield return ("item_interactions", """
            {"user_id":1,"item_id":7,"time":1700000000,"rating":5}
            {"user_id":1,"item_id":9,"time":1700000100}
            """u8.ToArray());
    }

    private static void Manifest(byte[] input)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"lodestar-fuzz-{Environment.ProcessId}-world");
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, WorldManifest.FileName), input);
        var manifest = ManifestFile.Read(directory);
        _ = manifest.Counts.Count + manifest.Source.Length + ManifestFile.StartSeconds(directory);
    }

    private static IEnumerable<(string, byte[])> ManifestSeeds()
    {
        yield return ("generated", File.ReadAllBytes(Path.Combine(TinyWorld(), WorldManifest.FileName)));
    }

    private static void NearlineEventParse(byte[] input)
    {
        if (NearlineEvent.TryParse(Encoding.UTF8.GetString(input), out var error) is { } parsed)
        {
            _ = parsed.ToJson().Length + parsed.Subject.Length;
        }
        else if (error.Length == 0)
        {
            throw new InvalidOperationException("an event line refused with no message");
        }
    }

    private static IEnumerable<(string, byte[])> NearlineEventSeeds()
    {
        var events = WorldEvents.Read(TinyWorld());
        foreach (var kind in Enum.GetValues<NearlineEventKind>())
        {
            if (events.FirstOrDefault(e => e.Kind == kind) is { } first)
            {
                yield return (NearlineEvent.KindName(kind), Encoding.UTF8.GetBytes(first.ToJson()));
            }
        }
        yield return ("post_deleted", """{"id":"delete:1","kind":"post_deleted","time":1767571200,"day":0,"post_id":3}"""u8.ToArray());
    }

    private static void PromptTemplate(byte[] input) => _ = TemplateYamlReader.Parse(Encoding.UTF8.GetString(input), "fuzz.yaml").Name.Length;

    private static IEnumerable<(string, byte[])> PromptTemplateSeeds() =>
        PromptLibrary.LoadBuiltIn().Entries.Select(e => (e.Template.Name, Encoding.UTF8.GetBytes(e.Yaml)));

    /// <summary>The input as each task's config; a refusal (InvalidDataException naming file, line and field) is documented.</summary>
    private static void RunConfig(byte[] input)
    {
        var path = InputFile(input, ".json");
        Config(() => RetrievalConfig.Load(path));
        Config(() => FeedRankingConfig.Load(path));
        Config(() => SeqRecConfig.Load(path));
        Config(() => MatchTrainingConfig.Load(path));
    }

    private static void Config(Func<object> load)
    {
        try
        {
            _ = load();
        }
        catch (InvalidDataException)
        {
            // Refused, naming what is wrong.
        }
    }

    private static IEnumerable<(string, byte[])> RunConfigSeeds()
    {
        yield return ("retrieval", JsonSerializer.SerializeToUtf8Bytes(new RetrievalConfig(), RunJson.Options));
        yield return ("feed-ranking", JsonSerializer.SerializeToUtf8Bytes(new FeedRankingConfig(), RunJson.Options));
        yield return ("seqrec", JsonSerializer.SerializeToUtf8Bytes(new SeqRecConfig(), RunJson.Options));
        yield return ("match", JsonSerializer.SerializeToUtf8Bytes(new MatchTrainingConfig(), RunJson.Options));
    }

    private static void Onnx(byte[] input)
    {
        var model = OnnxModel.Parse(input, "fuzz.onnx");
        foreach (var tensor in model.Initializers)
        {
            _ = tensor.DataType switch
            {
                OnnxDataType.Float => tensor.ToFloat32().Length,
                OnnxDataType.Int64 => tensor.ToInt64().Length,
                _ => tensor.Data.Length,
            };
        }
        _ = model.Nodes.Sum(n => n.Inputs.Count + n.Outputs.Count) + model.Inputs.Count + model.Outputs.Count;
    }

    private static IEnumerable<(string, byte[])> OnnxSeeds()
    {
        var graph = new OnnxGraphBuilder("seed");
        var x = graph.Input("x", OnnxDataType.Float, "batch", 4);
        var w = graph.Initializer("w", [0.5f, -1, 2, 0.25f, 1, 1, -0.5f, 3], 4, 2);
        var shape = graph.Int64s(-1, 2);
        graph.Output(graph.Name(graph.Node("Reshape", [graph.Node("MatMul", [x, w]), shape]), "y"), OnnxDataType.Float, "batch", 2);
        yield return ("matmul", graph.ToBytes());
    }

    private static string? tinyWorld;

    /// <summary>A 10-member, 2-day world generated once per process: the seeds' source of real records.</summary>
    private static string TinyWorld()
    {
        if (tinyWorld is null)
        {
            var directory = Path.Combine(Path.GetTempPath(), $"lodestar-fuzz-seed-world-{Environment.ProcessId}");
            WorldGenerator.Generate(new WorldConfig { Members = 10, Days = 2, Seed = 7, MatchSamplePairs = 10, Threads = 1 }, BuiltInVocabulary.Create(), directory);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(directory, recursive: true);
            tinyWorld = directory;
        }
        return tinyWorld;
    }
}
