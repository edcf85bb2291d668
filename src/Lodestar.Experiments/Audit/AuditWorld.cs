// What every audit reads from a generated world besides the model's own inputs: the members' protected attributes
// (truth/members_audit.jsonl, which no model input holds), and a copy of the world with those attributes changed, on
// which a model's inputs are rebuilt to show they do not move.
using Lodestar.Data.GroundTruth;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;

namespace Lodestar.Experiments.Audit;

/// <summary>Every member's protected attributes changed in a copy of the world: inputs and scores compared bit for bit.</summary>
public sealed record InvarianceCheck(string Change, long MembersChanged, long InputsCompared, long InputsDiffering, long ScoresCompared, long ScoresDiffering);

public static class AuditWorld
{
    public const string Change = "every member's gender rotated to the next value and age band moved to the next band";

    private static readonly string[] Genders = ["female", "male", "non_binary", "undisclosed"];
    private static readonly string[] AgeBands = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"];

    public static Dictionary<long, MemberAudit> ReadAttributes(string world)
    {
        var path = Path.Combine(world, DataFiles.GroundTruthDirectory, TruthFiles.Audit);
        if (!File.Exists(path))
        {
            throw new ArgumentException($"{path}: missing; the audit reads members' protected attributes from it (generated worlds write it)");
        }
        return JsonlReader.Read(path, TruthJsonContext.Default.MemberAudit).ToDictionary(a => a.MemberId);
    }

    /// <summary>
    /// Runs <paramref name="compare"/> on a temporary copy of <paramref name="world"/> (every file linked, the audit
    /// file rewritten with each member's attributes changed); returns the members changed and compare's result.
    /// </summary>
    public static (long MembersChanged, T Result) WithChangedAttributes<T>(string world, Func<string, T> compare)
    {
        var copy = Directory.CreateTempSubdirectory("lodestar-audit-world-").FullName;
        try
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(world))
            {
                if (Path.GetFileName(entry) != DataFiles.GroundTruthDirectory)
                {
                    File.CreateSymbolicLink(Path.Combine(copy, Path.GetFileName(entry)), Path.GetFullPath(entry));
                }
            }
            var truth = Path.Combine(copy, DataFiles.GroundTruthDirectory);
            Directory.CreateDirectory(truth);
            foreach (var file in Directory.EnumerateFiles(Path.Combine(world, DataFiles.GroundTruthDirectory)))
            {
                if (Path.GetFileName(file) != TruthFiles.Audit)
                {
                    File.CreateSymbolicLink(Path.Combine(truth, Path.GetFileName(file)), Path.GetFullPath(file));
                }
            }
            var changed = JsonlReader.WriteAll(Path.Combine(truth, TruthFiles.Audit), TruthJsonContext.Default.MemberAudit,
                ReadAttributes(world).Values.OrderBy(a => a.MemberId).Select(a => a with
                {
                    Gender = Genders[(Array.IndexOf(Genders, a.Gender) + 1) % Genders.Length],
                    AgeBand = AgeBands[(Array.IndexOf(AgeBands, a.AgeBand) + 1) % AgeBands.Length],
                }));
            return (changed, compare(copy));
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    /// <summary>Values differing bit for bit between two score arrays (a length difference counts each missing value).</summary>
    public static long BitsDiffering(float[] a, float[] b)
    {
        long differing = Math.Abs(a.Length - b.Length);
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            differing += BitConverter.SingleToInt32Bits(a[i]) == BitConverter.SingleToInt32Bits(b[i]) ? 0 : 1;
        }
        return differing;
    }
}
