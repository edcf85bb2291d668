// The HTML page of one run directory (report.html) with a JSON of the same numbers beside it (report.json):
// what was trained on what, the training loss and every validation metric per epoch as SVG charts and a
// table, the best epoch and the test metrics. Written by the training loop whenever it writes run.json.
using System.Globalization;
using System.Text.Json;
using Lodestar.Evaluation.Reports;

namespace Lodestar.Training.Loop;

public static class RunReport
{
    public const string FileName = "report.html";

    /// <summary>Writes report.html and report.json (the record itself) into <paramref name="runDirectory"/>; returns the HTML path.</summary>
    public static string Write<TConfig>(string runDirectory, RunRecord<TConfig> record)
    {
        var report = new HtmlReport($"Lodestar run: {record.Task}");
        report.Paragraph($"Status {record.Status}{(record.StopReason is { } why ? $" ({why})" : "")}; {record.Parameters.ToString("N0", CultureInfo.InvariantCulture)} parameters; " +
            $"best epoch {record.BestEpoch} by validation {record.Selection.Name} ({(record.Selection.HigherIsBetter ? "higher" : "lower")} is better); {F(record.WallSeconds)} s.");
        report.Heading("Data");
        report.Table(["input", "path", "sha256", "bytes"],
            record.Data.Inputs.Select(i => (IReadOnlyList<string>)[i.Role, i.Path, i.Sha256, i.Bytes?.ToString(CultureInfo.InvariantCulture) ?? ""]));
        report.Table([.. record.Data.Counts.Keys], [[.. record.Data.Counts.Values.Select(v => v.ToString(CultureInfo.InvariantCulture))]]);
        if (record.Test is { Count: > 0 } test)
        {
            report.Heading("Test (best epoch's model)");
            report.Table([.. test.Keys], [[.. test.Values.Select(F)]]);
        }
        if (record.Epochs.Count > 0)
        {
            report.Heading("Epochs");
            var keys = record.Epochs[0].Validation.Keys.ToList();
            report.Chart(SvgCharts.LineChart("Training loss per epoch", "epoch", "training loss",
                [new Series("train", [.. record.Epochs.Where(e => e.TrainLoss is not null).Select(e => ((double)e.Epoch, e.TrainLoss!.Value))])]));
            report.Chart(SvgCharts.LineChart($"Validation {record.Selection.Name} per epoch", "epoch", record.Selection.Name,
                [new Series("validation", [.. record.Epochs.Select(e => ((double)e.Epoch, e.Validation[record.Selection.Name]))])]));
            report.Table(["epoch", "train loss", .. keys.Select(k => $"valid {k}"), "seconds"],
                record.Epochs.Select(e => (IReadOnlyList<string>)[e.Epoch.ToString(CultureInfo.InvariantCulture), e.TrainLoss is { } l ? F(l) : "",
                    .. keys.Select(k => e.Validation.TryGetValue(k, out var v) ? F(v) : ""), F(e.Seconds)]));
        }
        report.Heading("Config");
        report.Paragraph(JsonSerializer.Serialize(record.Config, RunJson.Options));
        var path = Path.Combine(runDirectory, FileName);
        report.Write(path, record, RunJson.Options);
        return path;
    }

    private static string F(double value) => double.IsFinite(value) ? value.ToString("0.######", CultureInfo.InvariantCulture) : "n/a";
}
