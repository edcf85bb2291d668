// The report module writes a well-formed HTML page whose charts are valid SVG, and a JSON of the same
// numbers beside it.
using System.Text.Json;
using System.Xml.Linq;
using Lodestar.Evaluation.Reports;

namespace Lodestar.Evaluation.Tests.Reports;

public class HtmlReportTests
{
    [Theory]
    [InlineData(0.64712, "0.647")]
    [InlineData(5.8234, "5.82")]
    [InlineData(13.62, "13.6")]
    [InlineData(183.2, "183")]
    [InlineData(9.996, "10.0")]
    [InlineData(999.7, "1,000")]
    [InlineData(1234567.8, "1,234,568")]
    [InlineData(-0.0123456, "-0.0123")]
    [InlineData(0, "0")]
    [InlineData(0.00001234, "1.23e-5")]
    [InlineData(double.NaN, "n/a")]
    public void NumbersAreWrittenWithThreeSignificantDigits(double value, string expected) => Assert.Equal(expected, ReportNumber.Format(value));

    [Fact]
    public void AChartRefusesSeriesOfDifferentMagnitudesAndLabelsItsPoints()
    {
        var error = Assert.Throws<ArgumentException>(() => SvgCharts.LineChart("loss", "epoch", "loss",
            [new Series("policy-teacher", [(1, 6.1), (2, 5.8)]), new Series("student", [(1, 1.1), (2, 0.9)])]));
        Assert.Contains("policy-teacher", error.Message, StringComparison.Ordinal);
        Assert.Equal(["loss: policy-teacher", "loss: student"], SvgCharts.LineCharts("loss", "epoch", "loss",
            [new Series("policy-teacher", [(1, 6.1), (2, 5.8)]), new Series("student", [(1, 1.1), (2, 0.9)])]).Select(svg => XElement.Parse(svg).Elements().First().Value));
        Assert.Single(SvgCharts.LineCharts("loss", "epoch", "loss", [new Series("training", [(1, 1.2)]), new Series("validation", [(1, 1.3)])]));
        var line = XElement.Parse(SvgCharts.LineChart("loss", "epoch", "loss", [new Series("training", [(1, 1.2), (2, 0.9)]), new Series("validation", [(1, 1.3), (2, 1.04)])]));
        Assert.Equal(["0.900", "1.04"], line.Descendants().Where(e => (string?)e.Attribute("class") == "point").Select(e => e.Value));
        var scatter = XElement.Parse(SvgCharts.Scatter("quality vs size", "params", "ndcg", [new Series("a", [(1e3, 0.5)]), new Series("b", [(1e5, 0.7)])]));
        Assert.Equal(["a", "b"], scatter.Descendants().Where(e => (string?)e.Attribute("class") == "point").Select(e => e.Value));
        Assert.Equal(10, scatter.Descendants().Count(e => (string?)e.Attribute("class") == "tick"));
    }

    [Fact]
    public async Task AReportWithCrowdedPointsReadsCleanlyInChromiumAndTheCheckFindsWhatDoesNot()
    {
        var directory = Directory.CreateTempSubdirectory("lodestar-report-read-");
        try
        {
            // Two teachers of one size and nearly one quality beside a small student: the quickstart's crowded scatter.
            var models = new[] { ("policy-teacher", 5.21, 0.912), ("click-teacher", 5.21, 0.905), ("student", 4.02, 0.871) };
            var good = new HtmlReport("readable")
                .Section("Quality against size", "Each model is a point: further up is a better ranking, further left a smaller model.")
                .Table(["model", "ndcg"], models.Select(m => (IReadOnlyList<string>)[m.Item1, ReportNumber.Format(m.Item3)]))
                .Chart(SvgCharts.Scatter("Quality vs size", "log10 parameters", "ndcg", [.. models.Select(m => new Series(m.Item1, [(m.Item2, m.Item3)]))]))
                .Chart(SvgCharts.LineChart("student: loss per epoch", "epoch", "loss", [new Series("training", [(1, 1.31), (2, 0.92), (3, 0.84)]), new Series("validation", [(1, 1.35), (2, 1.02), (3, 0.97)])]))
                // Six reliability curves ending in nearly one bin, as a feed ranker's six actions do after a short run.
                .Chart(SvgCharts.Reliability("six actions", [.. Enumerable.Range(0, 6).Select(t => new Series($"action-{t}", [(0.05, 0.04), (0.46 + (0.004 * t), 0.02 + (0.01 * t))]))]));
            var goodPath = Path.Combine(directory.FullName, "good.html");
            good.Write(goodPath, new { }, new JsonSerializerOptions());
            Assert.Empty(await Lodestar.TestSupport.ReportInChromium.Problems(goodPath));

            // A section without its paragraph, long numbers, two labels on one spot, two magnitudes on one axis.
            var bad = new HtmlReport("unreadable").Paragraph("no sections here").Section("Quality", "x")
                .Table(["model", "ndcg"], [["a", "0.912345"]])
                .Chart("""<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200" data-max-scale-ratio="3"><title>crowded</title><g class="series" data-y-typical="5.9"><circle cx="50" cy="50" r="3"/><text class="point" x="60" y="50">policy-teacher</text></g><g class="series" data-y-typical="1.0"><circle cx="52" cy="52" r="3"/><text class="point" x="62" y="52">click-teacher</text></g></svg>""");
            var badPath = Path.Combine(directory.FullName, "bad.html");
            bad.Write(badPath, new { }, new JsonSerializerOptions());
            var problems = await Lodestar.TestSupport.ReportInChromium.Problems(badPath);
            Assert.Contains(problems, p => p.Contains("section \"Quality\" has no paragraph", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("\"0.912345\" has more digits", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("labels \"policy-teacher\" and \"click-teacher\" overlap", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("chart \"crowded\" puts series of different magnitudes", StringComparison.Ordinal));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void WritesHtmlWithSvgChartsAndJsonBeside()
    {
        var directory = Directory.CreateTempSubdirectory("lodestar-report-");
        try
        {
            var line = SvgCharts.LineChart("loss <per> epoch", "epoch", "loss", [new Series("teacher", [(1, 0.9), (2, 0.5), (3, 0.4)])]);
            var scatter = SvgCharts.Scatter("quality vs size", "params", "ndcg", [new Series("a", [(1e3, 0.5)]), new Series("b", [(1e5, 0.7)])]);
            var reliability = SvgCharts.Reliability("calibration", [new Series("student", [(0.1, 0.12), (0.5, 0.4), (0.9, 0.95)])]);
            var report = new HtmlReport("test & report").Section("quality", "what & how").Table(["model", "ndcg"], [["a", "0.5"], ["b<i>", "0.7"]])
                .Chart(line).Chart(scatter).Chart(reliability);
            var path = Path.Combine(directory.FullName, "report.html");
            var jsonPath = report.Write(path, new { ndcg = new[] { 0.5, 0.7 } }, new JsonSerializerOptions());
            var html = File.ReadAllText(path);
            Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
            Assert.Contains("b&lt;i&gt;", html, StringComparison.Ordinal);
            Assert.Contains("<h2>quality</h2>\n<p class=\"shows\">what &amp; how</p>", html, StringComparison.Ordinal);
            foreach (var svg in new[] { line, scatter, reliability })
            {
                var element = XElement.Parse(svg);
                Assert.Equal("svg", element.Name.LocalName);
                Assert.Contains(svg, html, StringComparison.Ordinal);
            }
            Assert.Equal(3, XElement.Parse(line).Descendants().Count(e => e.Name.LocalName == "circle"));
            Assert.Contains("stroke-dasharray", reliability, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(File.ReadAllText(jsonPath));
            Assert.Equal(0.7, json.RootElement.GetProperty("ndcg")[1].GetDouble());
            Assert.False(File.Exists(path + ".tmp"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
