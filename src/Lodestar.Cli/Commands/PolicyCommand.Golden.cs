// `lodestar policy golden` (a simulated golden set from a world's ground truth) and `lodestar policy
// agree` (how well a labeler's labels agree with a golden set).
using System.CommandLine;
using System.Text.Json;
using Lodestar.Core;
using Lodestar.Data.Storage;
using Lodestar.Policy.Agreement;
using Lodestar.Policy.Golden;
using Lodestar.Policy.Labeling;
using Spectre.Console;

namespace Lodestar.Cli;

public static partial class PolicyCommand
{
    private static Command Golden()
    {
        var world = WorldOption();
        var output = new Option<FileInfo>("--out") { Description = "Golden set JSONL to write.", Required = true };
        var pairs = new Option<int>("--pairs") { Description = "Distinct pairs to judge.", DefaultValueFactory = _ => new GoldenSetConfig().Pairs };
        var multiShare = new Option<double>("--multi-share") { Description = "Share of pairs judged by several annotators.", DefaultValueFactory = _ => new GoldenSetConfig().MultiAnnotatedShare };
        var seed = new Option<int>("--seed") { Description = "Seed of the annotators' noise and the pair draw.", DefaultValueFactory = _ => new GoldenSetConfig().Seed };
        var policy = PolicyOption();
        var force = CliOptions.Force();
        var json = CliJson.CreateOption();
        var command = new Command("golden", "Make a golden set: simulated annotators (bias, noise, disagreement) judge pairs from a world's true match quality.");
        foreach (var option in new Option[] { world, output, pairs, multiShare, seed, policy, force, json })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var path = parse.GetValue(output)!.FullName;
            using var owner = OutputLock.Acquire(path);
            ExistingOutput.RefuseUnlessReplacing(path, parse.GetValue(force), "a golden set");
            var compiled = LoadPolicy(parse.GetValue(policy)!);
            var snapshot = LoadWorld(parse.GetValue(world)!);
            var candidates = WorldTruth.Read(snapshot);
            var config = new GoldenSetConfig { Pairs = parse.GetValue(pairs), MultiAnnotatedShare = parse.GetValue(multiShare), Seed = parse.GetValue(seed) };
            var labels = GoldenSetGenerator.Generate(compiled.Document, candidates, config);
            var manifest = new { policy_version = compiled.Document.VersionKey, config, world = snapshot.Directory, created_at = DateTime.UtcNow.ToString("O") };
            FileWithManifest.Write(path, () => LabelFile.Write(path, labels), () => JsonSerializer.SerializeToUtf8Bytes(manifest, new JsonSerializerOptions(CliJson.Options) { WriteIndented = true }));
            var summary = new
            {
                @out = path,
                policy_version = compiled.Document.VersionKey,
                pairs = labels.Select(l => l.Pair).Distinct().Count(),
                judgements = labels.Count,
                annotators = labels.Select(l => l.Annotator).Distinct().Count(),
                multi_annotated_pairs = labels.GroupBy(l => l.Pair).Count(g => g.Count() > 1),
                candidates = candidates.Count,
            };
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(summary);
            }
            else
            {
                Console.Out.WriteLine($"wrote {summary.judgements} judgements of {summary.pairs} pairs by {summary.annotators} annotators ({summary.multi_annotated_pairs} pairs judged several times) to {path}");
            }
            return 0;
        });
        return command;
    }

    private static Command Agree()
    {
        var golden = new Option<FileInfo>("--golden") { Description = "Golden set JSONL (from `policy golden` or people).", Required = true };
        var labels = new Option<FileInfo?>("--labels") { Description = "Labels JSONL to compare (from `policy expand`, or any labeler in the same format)." };
        var scorer = new Option<bool>("--scorer") { Description = "Compare the embedded policy scorer instead of a labels file (needs --world)." };
        var world = new Option<DirectoryInfo?>("--world") { Description = "World directory holding the golden pairs' members and jobs (with --scorer)." };
        var worst = new Option<int>("--worst") { Description = "Disagreements to list.", DefaultValueFactory = _ => 10 };
        var policy = PolicyOption();
        var json = CliJson.CreateOption();
        var command = new Command("agree", "Agreement of a labeler with a golden set: per-dimension MAE and quadratic-weighted kappa, Spearman, Kendall tau-b, pairwise accuracy, worst disagreements.");
        foreach (var option in new Option[] { golden, labels, scorer, world, worst, policy, json })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var compiled = LoadPolicy(parse.GetValue(policy)!);
            var goldenLabels = LabelFile.Read(parse.GetValue(golden)!.FullName, compiled.Document);
            List<LabeledPair> candidate;
            if (parse.GetValue(scorer))
            {
                var directory = parse.GetValue(world) ?? throw new ArgumentException("--scorer needs --world (the members and jobs of the golden pairs)");
                var snapshot = LoadWorld(directory);
                var labeler = new PolicyScorerLabeler(compiled);
                candidate = WorldTruth.PairsOf(snapshot, goldenLabels).Select(labeler.Label).ToList();
            }
            else
            {
                var file = parse.GetValue(labels) ?? throw new ArgumentException("give --labels FILE or --scorer --world DIR");
                candidate = LabelFile.Read(file.FullName, compiled.Document);
            }
            var report = AgreementReport.Compare(compiled.Document, goldenLabels, candidate, parse.GetValue(worst));
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(report);
                return 0;
            }
            var table = new Table().AddColumns("dimension", "MAE", "QW kappa");
            foreach (var dimension in report.Dimensions)
            {
                table.AddRow(dimension.Dimension, $"{dimension.Mae:F3}", $"{dimension.QuadraticKappa:F3}");
            }
            AnsiConsole.MarkupLineInterpolated($"[bold]{report.Labeler}[/] vs golden set ({report.Pairs} pairs, {report.GoldenPairsWithoutLabel} golden pairs without a label), policy {report.PolicyVersion}");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"mean kappa {report.MeanKappa:F3}; overall: MAE {report.OverallMae:F3}, Spearman {report.Spearman:F3}, Kendall tau-b {report.KendallTauB:F3}, pairwise accuracy {report.PairwiseAccuracy:F3}");
            if (report.HumanKappa is { } human)
            {
                AnsiConsole.MarkupLineInterpolated($"annotators among themselves: mean kappa {human:F3}, overall Spearman {report.HumanSpearman:F3} over {report.HumanPairs} multiply-judged pairs");
            }
            AnsiConsole.MarkupLine("[bold]worst disagreements[/]");
            foreach (var d in report.Worst)
            {
                Console.Out.WriteLine($"  pair {d.Pair}: golden {d.GoldenOverall:F2} vs {d.LabelOverall:F2}");
                Console.Out.WriteLine($"    golden: {string.Join(", ", d.GoldenScores.Select(s => $"{s.Key} {s.Value:0.#}"))}{(d.GoldenNote is null ? "" : $"  ({d.GoldenNote})")}");
                Console.Out.WriteLine($"    label:  {string.Join(", ", d.LabelScores.Select(s => $"{s.Key} {s.Value}"))}{(string.IsNullOrEmpty(d.LabelNote) ? "" : $"  ({d.LabelNote})")}");
            }
            return 0;
        });
        return command;
    }
}
