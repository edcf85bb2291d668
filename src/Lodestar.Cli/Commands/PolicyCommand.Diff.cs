// `lodestar policy diff OLD NEW --pairs P` (which labels change between two policy versions, and by how
// much) and `lodestar policy bench` (the embedded scorer's pairs per second).
using System.CommandLine;
using Lodestar.Policy;
using Lodestar.Policy.Labeling;

namespace Lodestar.Cli;

public static partial class PolicyCommand
{
    private static Command Diff()
    {
        var oldPolicy = new Argument<string>("old") { Description = "The current policy (file or embedded name)." };
        var newPolicy = new Argument<string>("new") { Description = "The proposed policy (file or embedded name)." };
        var pairs = new Option<FileInfo>("--pairs") { Description = "JSONL of pairs to compare on (any golden set, label file or training set).", Required = true };
        var world = WorldOption();
        var top = new Option<int>("--top") { Description = "Largest changes to list.", DefaultValueFactory = _ => 20 };
        var json = CliJson.CreateOption();
        var command = new Command("diff", "Show which pairs' labels change between two policy versions, and by how much.");
        command.Arguments.Add(oldPolicy);
        command.Arguments.Add(newPolicy);
        foreach (var option in new Option[] { pairs, world, top, json })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var before = LoadPolicy(parse.GetValue(oldPolicy)!);
            var after = LoadPolicy(parse.GetValue(newPolicy)!);
            var snapshot = LoadWorld(parse.GetValue(world)!);
            var pairList = PairsFromPairFile(snapshot, parse.GetValue(pairs)!.FullName);
            var report = PolicyDiff.Compare(before, after, pairList, parse.GetValue(top));
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(report);
                return 0;
            }
            Console.Out.WriteLine($"{report.OldVersion} -> {report.NewVersion}: {report.ChangedPairs} of {report.Pairs} pairs change; overall shift mean {report.MeanOverallShift:+0.000;-0.000;0}, mean |shift| {report.MeanAbsoluteOverallShift:F3}");
            foreach (var d in report.Dimensions)
            {
                Console.Out.WriteLine($"  {d.Dimension,-20} {d.Changed,6} changed  mean shift {d.MeanShift:+0.000;-0.000;0}  mean |shift| {d.MeanAbsoluteShift:F3}");
            }
            foreach (var id in report.AddedDimensions)
            {
                Console.Out.WriteLine($"  + {id} (new dimension)");
            }
            foreach (var id in report.RemovedDimensions)
            {
                Console.Out.WriteLine($"  - {id} (removed dimension)");
            }
            foreach (var change in report.LargestChanges)
            {
                var moved = change.NewScores.Where(s => change.OldScores.TryGetValue(s.Key, out var old) && old != s.Value).Select(s => $"{s.Key} {change.OldScores[s.Key]}->{s.Value}");
                Console.Out.WriteLine($"  pair {change.Pair}: {change.OldOverall:F2} -> {change.NewOverall:F2}  {string.Join(", ", moved)}");
            }
            return 0;
        });
        return command;
    }

    private static Command Bench()
    {
        var world = WorldOption();
        var pairs = new Option<int>("--pairs") { Description = "Distinct random pairs to score repeatedly.", DefaultValueFactory = _ => 20_000 };
        var seconds = new Option<double>("--seconds") { Description = "Minimum measuring time.", DefaultValueFactory = _ => 3 };
        var seed = new Option<int>("--seed") { Description = "Seed of the pair draw.", DefaultValueFactory = _ => 1 };
        var policy = PolicyOption();
        var json = CliJson.CreateOption();
        var command = new Command("bench", $"Measure the embedded policy scorer's throughput on one thread (target: {ScorerBenchmark.TargetPairsPerSecond:N0} pairs/s).");
        foreach (var option in new Option[] { world, pairs, seconds, seed, policy, json })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var compiled = LoadPolicy(parse.GetValue(policy)!);
            var snapshot = LoadWorld(parse.GetValue(world)!);
            var members = snapshot.Members.Values.OrderBy(m => m.Id).ToArray();
            var jobs = snapshot.Jobs.Values.OrderBy(j => j.Id).ToArray();
            var random = new Random(parse.GetValue(seed));
            var pairList = Enumerable.Range(0, parse.GetValue(pairs)).Select(_ => new MatchPair(members[random.Next(members.Length)], jobs[random.Next(jobs.Length)])).ToList();
            var result = ScorerBenchmark.Measure(compiled, pairList, parse.GetValue(seconds));
            var ratio = result.PairsPerSecond / ScorerBenchmark.TargetPairsPerSecond;
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(new
                {
                    policy_version = compiled.Document.VersionKey,
                    pairs_per_s = result.PairsPerSecond,
                    target_pairs_per_s = ScorerBenchmark.TargetPairsPerSecond,
                    ratio_to_target = ratio,
                    allocated_bytes_per_pair = result.AllocatedBytesPerPair,
                    distinct_pairs = result.DistinctPairs,
                    pairs_scored = result.PairsScored,
                    seconds = result.Seconds,
                    checksum = result.Checksum,
                });
            }
            else
            {
                Console.Out.WriteLine($"{result.PairsPerSecond:N0} pairs/s on one thread ({ratio:F1}x the {ScorerBenchmark.TargetPairsPerSecond:N0} target), {result.AllocatedBytesPerPair:F0} bytes allocated per pair, {result.PairsScored:N0} pairs in {result.Seconds:F2} s");
            }
            return 0;
        });
        return command;
    }

    /// <summary>Pairs named in any JSONL of labeled pairs; only the pair ids are read, so any policy's labels will do.</summary>
    private static List<MatchPair> PairsFromPairFile(Text.Prompts.WorldSnapshot world, string path) =>
        LabelFile.ReadPairs(path).Select(k => new MatchPair(world.Member(k.MemberId), world.Job(k.JobId))).ToList();
}
