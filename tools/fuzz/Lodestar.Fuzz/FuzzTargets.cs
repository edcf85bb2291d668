// The parsers under fuzz, each with the exceptions it documents for bad input: anything else a target throws on any
// input is a defect (a crash to afl, a failure to the smoke). Each target also writes its seed inputs: valid files a
// mutation starts from.
using System.Text;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Policy;
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

public static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("safetensors", "SafeTensorsFile.Parse, then every tensor read as float32 and as bytes", [typeof(SafeTensorsException)], SafeTensors, SafeTensorsSeeds),
        new("tokenizer-json", "TokenizerJson.Read, then an encode and decode", [typeof(InvalidDataException)], TokenizerJsonRead, TokenizerSeeds),
        new("policy-yaml", "PolicyLoader.Problems: every problem of a policy file as a list, never an exception", [], PolicyProblems, PolicySeeds),
        new("members-jsonl", "JsonlReader over members.jsonl", [typeof(DataFormatException)], MembersJsonl, MemberSeeds),
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

    private static void MembersJsonl(byte[] input)
    {
        var path = Path.Combine(Path.GetTempPath(), $"lodestar-fuzz-{Environment.ProcessId}.jsonl");
        File.WriteAllBytes(path, input);
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
