// A finished variant experiment on stdout: its summary as one JSON line, or a table of chosen test figures as
// mean ± sample sd per variant.
using Lodestar.Experiments;
using Spectre.Console;

namespace Lodestar.Cli;

public static class ExperimentOutput
{
    public static void Write(ExperimentSummary result, IReadOnlyList<string> shown, string outDirectory, bool json)
    {
        if (json)
        {
            CliJson.WriteLine(result);
            return;
        }
        // A figure no variant has (the jobs' match in a feed experiment) gets no column.
        shown = [.. shown.Where(k => result.Variants.Values.Any(figures => figures.ContainsKey(k)))];
        var table = new Table().AddColumns(["variant", .. shown]);
        foreach (var (name, figures) in result.Variants)
        {
            table.AddRow([name, .. shown.Select(k => figures.TryGetValue(k, out var f) ? $"{f.Mean:F4} ± {f.Std:F4}" : "")]);
        }
        table.Caption($"test split, mean ± sample sd over seeds {string.Join(", ", result.Seeds)}; summary in {Path.Combine(outDirectory, ExperimentSummary.FileName)}");
        AnsiConsole.Write(table);
    }
}
