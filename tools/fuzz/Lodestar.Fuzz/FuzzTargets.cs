// The parsers under fuzz, each with the exceptions it documents for bad input: anything else a target throws on any
// input is a defect (a crash to afl, a failure to the smoke). Each target also writes its seed inputs: valid files a
// mutation starts from.
using System.Text;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Index;
using Lodestar.Policy;
using Lodestar.Policy.Expressions;
using Lodestar.Tensors.Serialization;
using Lodestar.Text.Tokenization;

namespace Lodestar.Fuzz;

public sealed record FuzzTarget(string Name, string What, Type[] Documented, Action<byte[]> Run, Func<IEnumerable<(string Name, byte[] Bytes)>> Seeds)
{
    /// <summary>Runs the parser on <paramref name="input"/>; true when it accepted it, false when it refused it with a documented exception.</summary>
    public bool Accepts(byte[] input)
    {
        try
        {
            Run(input);
            return true;
        }
        catch (Exception e) when (Documented.Any(type => type.IsInstanceOfType(e)))
        {
            return false;
        }
    }
}

public static partial class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("safetensors", "SafeTensorsFile.Parse, then every tensor read as float32 and as bytes", [typeof(SafeTensorsException)], SafeTensors, SafeTensorsSeeds),
        new("tokenizer-json", "TokenizerJson.Read, then an encode and decode", [typeof(InvalidDataException)], TokenizerJsonRead, TokenizerSeeds),
        new("policy-yaml", "PolicyLoader.Problems: every problem of a policy file as a list, never an exception", [], PolicyProblems, PolicySeeds),
        new("members-jsonl", "JsonlReader over members.jsonl", [typeof(DataFormatException)], MembersJsonl, MemberSeeds),
        new("policy-expression", "ExprParser.Parse, then compiled as a number and as a condition over member-job fields", [typeof(ExprException)], Expression, ExpressionSeeds),
        new("npy", "NpyMatrix.Read of a .npy matrix", [typeof(InvalidDataException)], Npy, NpySeeds),
        new("index-snapshot", "FlatIndex.Load of a snapshot, then a search", [typeof(InvalidDataException)], IndexSnapshotRead, IndexSnapshotSeeds),
        new("world-jsonl", "JsonlReader as every other record type of a world (companies, jobs, posts, impressions, job events, searches, interactions, profile edits, occupations)", [], WorldJsonl, WorldJsonlSeeds),
        new("world-manifest", "ManifestFile.Read and the start day it gives", [typeof(DataFormatException)], Manifest, ManifestSeeds),
        new("nearline-event", "NearlineEvent.TryParse: an event line or a message, never an exception", [], NearlineEventParse, NearlineEventSeeds),
        new("prompt-template", "TemplateYamlReader.Parse of a prompt template", [typeof(Lodestar.Text.Prompts.PromptTemplateException)], PromptTemplate, PromptTemplateSeeds),
        new("run-config", "RunJson.ReadConfig as a retrieval, feed-ranking, seqrec and job-matching config", [], RunConfig, RunConfigSeeds),
        new("onnx", "OnnxModel.Parse, then every initializer read as float32 or int64", [typeof(InvalidDataException)], Onnx, OnnxSeeds),
    ];

    public static FuzzTarget Named(string name) => All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"no fuzz target '{name}'; the targets: {string.Join(", ", All.Select(t => t.Name))}");

    private static void SafeTensors(byte[] input)
    {
        using var file = SafeTensorsFile.Parse(input, "fuzz.safetensors");
        foreach (var entry in file.Entries)
        {
            _ = file.GetBytes(entry.Name).Length;
            try
            {
                _ = file.ToFloat32Array(entry.Name);
            }
            catch (SafeTensorsException)
            {
                // A tensor of a type that does not widen to float32 is refused by name; the next is still read.
            }
        }
    }

    private static IEnumerable<(string, byte[])> SafeTensorsSeeds()
    {
        foreach (var (name, header, data) in new (string, string, byte[])[]
        {
            ("f32", """{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"__metadata__":{"kind":"seed"}}""", new byte[16]),
            ("mixed", """{"a":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},"b":{"dtype":"F16","shape":[3],"data_offsets":[16,22]},"c":{"dtype":"BOOL","shape":[2],"data_offsets":[22,24]}}""", [.. new byte[22], 1, 0]),
            ("empty", """{}""", []),
        })
        {
            var headerBytes = Encoding.UTF8.GetBytes(header);
            var file = new byte[8 + headerBytes.Length + data.Length];
            BitConverter.TryWriteBytes(file.AsSpan(0, 8), (long)headerBytes.Length);
            headerBytes.CopyTo(file, 8);
            data.CopyTo(file, 8 + headerBytes.Length);
            yield return (name, file);
        }
    }

    private static void TokenizerJsonRead(byte[] input)
    {
        using var stream = new MemoryStream(input, writable: false);
        var tokenizer = TokenizerJson.Read(stream, "fuzz.tokenizer.json");
        _ = tokenizer.Decode(tokenizer.Encode("senior data engineer, 5 years of Python"));
    }

    private static IEnumerable<(string, byte[])> TokenizerSeeds()
    {
        var trainer = new BpeTrainer(new BpeTrainerConfig { VocabSize = 300 });
        foreach (var text in new[] { "senior data engineer", "python engineer at a bank", "data, data and more data" })
        {
            trainer.AddText(text);
        }
        var tokenizer = trainer.Train();
        yield return ("trained", Encoding.UTF8.GetBytes(TokenizerJson.ToJsonString(tokenizer)));
    }

    private static void PolicyProblems(byte[] input) => _ = PolicyLoader.Problems("fuzz.yaml", Encoding.UTF8.GetString(input));

    private static IEnumerable<(string, byte[])> PolicySeeds()
    {
        foreach (var name in new[] { PolicyLoader.JobMatching, PolicyLoader.FeedPosts })
        {
            yield return (name, Encoding.UTF8.GetBytes(PolicyLoader.ReadEmbeddedText(name)));
        }
    }

    /// <summary>A file of this process's own for the readers that take a path.</summary>
    private static string InputFile(byte[] input, string extension)
    {
        var path = Path.Combine(Path.GetTempPath(), $"lodestar-fuzz-{Environment.ProcessId}{extension}");
        File.WriteAllBytes(path, input);
        return path;
    }

    // Made on the first input, not when the targets are listed: instrumented code may run only inside afl's loop.
    private static ExprCompiler<Member, Job>? compiler;

    private static void Expression(byte[] input)
    {
        var node = ExprParser.Parse(Encoding.UTF8.GetString(input));
        var compile = compiler ??= new(PairFields.MemberJob, ["gender", "age"], new Dictionary<string, int> { ["skills"] = 0 });
        try
        {
            _ = compile.CompileNumber(node);
            return;
        }
        catch (ExprException)
        {
            // Not a number: perhaps a condition.
        }
        _ = compile.CompileBool(node);
    }

    private static IEnumerable<(string, byte[])> ExpressionSeeds()
    {
        foreach (var (name, text) in new[]
        {
            ("overlap", "0.85 * overlap(member.skills, job.required_skills) + 0.15 * overlap(member.skills, job.nice_to_have_skills)"),
            ("seniority", "if(member.seniority == job.seniority, 4, if(abs(member.seniority - job.seniority) == 2, 1, 0))"),
            ("condition", "not (skills >= 2 and member.seniority == job.seniority) or skills <= 1"),
        })
        {
            yield return (name, Encoding.UTF8.GetBytes(text));
        }
    }

    private static void Npy(byte[] input)
    {
        var (rows, columns, values) = NpyMatrix.Read(InputFile(input, ".npy"));
        _ = rows * columns + values.Length;
    }

    private static IEnumerable<(string, byte[])> NpySeeds()
    {
        foreach (var (name, descr, order, shape, count) in new[] { ("f4-2x3", "<f4", "False", "(2, 3)", 6), ("f4-1x1", "<f4", "False", "(1, 1)", 1) })
        {
            var header = $"{{'descr': '{descr}', 'fortran_order': {order}, 'shape': {shape}, }}";
            header = header.PadRight(((10 + header.Length + 1 + 63) / 64 * 64) - 10 - 1) + "\n";
            var bytes = new List<byte> { 0x93 };
            bytes.AddRange("NUMPY"u8.ToArray());
            bytes.AddRange([1, 0, (byte)(header.Length & 0xFF), (byte)(header.Length >> 8)]);
            bytes.AddRange(Encoding.ASCII.GetBytes(header));
            bytes.AddRange(Enumerable.Range(0, count).SelectMany(i => BitConverter.GetBytes(i * 0.5f)));
            yield return (name, [.. bytes]);
        }
    }

    private static void IndexSnapshotRead(byte[] input)
    {
        using var index = FlatIndex.Load(InputFile(input, ".lsix"));
        var query = Enumerable.Repeat(1f, index.Dimension).ToArray();
        _ = index.Search(query, 3, new SearchHit[3]);
    }

    private static IEnumerable<(string, byte[])> IndexSnapshotSeeds()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lodestar-fuzz-seed-{Environment.ProcessId}.lsix");
        foreach (var (name, dimension, rows) in new[] { ("three-rows", 4, 3), ("empty", 2, 0) })
        {
            using var index = new FlatIndex(dimension);
            for (var row = 0; row < rows; row++)
            {
                index.Upsert(7 + row, [.. Enumerable.Range(0, dimension).Select(d => d == row ? 1f : 0.25f)], 100 * row);
            }
            index.Save(path);
            yield return (name, File.ReadAllBytes(path));
        }
        File.Delete(path);
    }

    private static void MembersJsonl(byte[] input)
    {
        var path = InputFile(input, ".jsonl");
        foreach (var member in JsonlReader.Read(path, DataJson.Compact.Member))
        {
            _ = member.Skills.Count + member.Headline.Length + member.WorkHistory.Count;
        }
    }

    private static IEnumerable<(string, byte[])> MemberSeeds()
    {
        yield return ("two-members", Encoding.UTF8.GetBytes("""
            {"id":1,"headline":"Civil engineer at Aurara Logistics | lean manufacturing, project management","current_title":"civil engineer","occupation_id":28,"seniority":"mid_senior","years_of_experience":9,"skills":["lean manufacturing","project management","surveying","thermodynamics"],"industry":"manufacturing","location":{"city":"Madrid","region":"Madrid","country":"ES"},"remote_preference":"hybrid","education":[{"degree":"bachelor","field":"electrical engineering","school":"University of Singapore","graduation_year":2017}],"work_history":[{"title":"mechanical engineer","occupation_id":26,"company_id":25,"company_name":"Kesio Group","industry":"manufacturing","seniority":"entry","start_day":-3285,"end_day":-1842},{"title":"civil engineer","occupation_id":28,"company_id":9,"company_name":"Solion Systems","industry":"manufacturing","seniority":"associate","start_day":-1841,"end_day":-398},{"title":"civil engineer","occupation_id":28,"company_id":12,"company_name":"Aurara Logistics","industry":"manufacturing","seniority":"mid_senior","start_day":-397}],"credentials":["professional engineer licence"],"work_authorisations":["ES","US"],"activity_level":"dormant","join_day":-72}
            {"id":2,"headline":"Data scientist at Briica Health | data visualisation, pandas","current_title":"data scientist","occupation_id":2,"seniority":"director","years_of_experience":6,"skills":["data visualisation","pandas","sql","statistics","terraform"],"industry":"software","location":{"city":"Bangalore","region":"Karnataka","country":"IN"},"remote_preference":"remote","education":[{"degree":"vocational","field":"mathematics","school":"Technical University of Berlin","graduation_year":2019}],"work_history":[{"title":"frontend developer","occupation_id":1,"company_id":26,"company_name":"Solwell Labs","industry":"software","seniority":"mid_senior","start_day":-2190,"end_day":-531},{"title":"data scientist","occupation_id":2,"company_id":4,"company_name":"Briica Health","industry":"software","seniority":"director","start_day":-530}],"credentials":[],"work_authorisations":["IN"],"activity_level":"occasional","join_day":-93}
            """));
    }
}
