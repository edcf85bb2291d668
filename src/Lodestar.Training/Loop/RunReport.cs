// The HTML page of one run directory (report.html) with a JSON of the same numbers beside it (report.json):
// what was trained on what, the training loss and every validation metric per epoch as SVG charts and a
// table, the best epoch and the test metrics, and the sections a task adds about its test. Written by the
// training loop whenever it writes run.json.
using System.Globalization;
using System.Text.Json;
using Lodestar.Evaluation.Reports;

namespace Lodestar.Training.Loop;

public static class RunReport
{
    public const string FileName = "report.html";

    /// <summary>The most columns a table of figures is written across; more are written as a row each.</summary>
    private const int WideTableColumns = 12;

    /// <summary>
    /// Writes report.html and report.json into <paramref name="runDirectory"/>; returns the HTML path. report.json is the
    /// record itself, or with a task's <paramref name="sections"/> an object of the record (run) and their numbers (task).
    /// </summary>
    public static string Write<TConfig>(string runDirectory, RunRecord<TConfig> record, ReportSections? sections = null)
    {
        var report = new HtmlReport($"Lodestar run: {record.Task}");
        report.Paragraph($"Status {record.Status}{(record.StopReason is { } why ? $" ({why})" : "")}; {ReportNumber.Count(record.Parameters)} parameters; " +
            $"best epoch {record.BestEpoch} by validation {record.Selection.Name} ({(record.Selection.HigherIsBetter ? "higher" : "lower")} is better); {ReportNumber.Format(record.WallSeconds)} s.");
        report.Section("Data", "What the run was trained and evaluated on: each input file with its SHA-256 (the same hash means the same bytes), then how many examples each split held.");
        report.Table(["input", "path", "sha256", "bytes"],
            record.Data.Inputs.Select(i => (IReadOnlyList<string>)[i.Role, i.Path, i.Sha256, i.Bytes is { } bytes ? ReportNumber.Count(bytes) : ""]));
        report.Table([.. record.Data.Counts.Keys], [[.. record.Data.Counts.Values.Select(v => ReportNumber.Count(v))]]);
        if (record.Test is { Count: > 0 } test)
        {
            report.Section("Test (best epoch's model)", $"The held-out test split scored once, by the model of the epoch with the best validation {record.Selection.Name}: the figures to quote for this run.");
            if (test.Count <= WideTableColumns)
            {
                report.Table([.. test.Keys], [[.. test.Values.Select(ReportNumber.Format)]]);
            }
            else
            {
                report.Table(["metric", "test"], test.Select(p => (IReadOnlyList<string>)[p.Key, ReportNumber.Format(p.Value)]));
            }
        }
        sections?.Add(report);
        if (record.Epochs.Count > 0)
        {
            var keys = record.Epochs[0].Validation.Keys.ToList();
            report.Section("Epochs", $"How training went: the training loss should fall epoch by epoch; validation {record.Selection.Name} picks the best epoch " +
                "(a validation curve that turns while the training loss keeps falling is overfitting). The table has every validation metric per epoch.");
            if (record.Epochs.Any(e => e.TrainLoss is not null))
            {
                report.Chart(SvgCharts.LineChart("Training loss per epoch", "epoch", "training loss",
                    [new Series("train", [.. record.Epochs.Where(e => e.TrainLoss is not null).Select(e => ((double)e.Epoch, e.TrainLoss!.Value))])]));
            }
            report.Chart(SvgCharts.LineChart($"Validation {record.Selection.Name} per epoch", "epoch", record.Selection.Name,
                [new Series("validation", [.. record.Epochs.Select(e => ((double)e.Epoch, e.Validation[record.Selection.Name]))])]));
            string Loss(EpochRecord e) => e.TrainLoss is { } l ? ReportNumber.Format(l) : "";
            string Valid(EpochRecord e, string key) => e.Validation.TryGetValue(key, out var v) ? ReportNumber.Format(v) : "";
            if (keys.Count + 3 <= WideTableColumns)
            {
                report.Table(["epoch", "train loss", .. keys.Select(k => $"valid {k}"), "seconds"],
                    record.Epochs.Select(e => (IReadOnlyList<string>)[e.Epoch.ToString(CultureInfo.InvariantCulture), Loss(e), .. keys.Select(k => Valid(e, k)), ReportNumber.Format(e.Seconds)]));
            }
            else
            {
                // Many metrics: a row each and an epoch a column, so the table is read down rather than scrolled across.
                report.Table(["", .. record.Epochs.Select(e => $"epoch {e.Epoch}")],
                [
                    ["train loss", .. record.Epochs.Select(Loss)],
                    .. keys.Select(k => (IReadOnlyList<string>)[$"valid {k}", .. record.Epochs.Select(e => Valid(e, k))]),
                    ["seconds", .. record.Epochs.Select(e => ReportNumber.Format(e.Seconds))],
                ]);
            }
        }
        report.Section("Config", "The run's whole config as it was resolved (defaults filled in): rerunning with it reproduces the run.");
        report.Paragraph(JsonSerializer.Serialize(record.Config, RunJson.Options));
        var path = Path.Combine(runDirectory, FileName);
        if (sections is null)
        {
            report.Write(path, record, RunJson.Options);
        }
        else
        {
            report.Write(path, new { Run = record, Task = sections.Numbers }, RunJson.Options);
        }
        return path;
    }
}
