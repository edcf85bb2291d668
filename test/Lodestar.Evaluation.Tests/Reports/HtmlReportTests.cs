// The report module writes a well-formed HTML page whose charts are valid SVG, and a JSON of the same
// numbers beside it.
using System.Text.Json;
using System.Xml.Linq;
using Lodestar.Evaluation.Reports;

namespace Lodestar.Evaluation.Tests.Reports;

public class HtmlReportTests
{
    [Fact]
    public void WritesHtmlWithSvgChartsAndJsonBeside()
    {
        var directory = Directory.CreateTempSubdirectory("lodestar-report-");
        try
        {
            var line = SvgCharts.LineChart("loss <per> epoch", "epoch", "loss", [new Series("teacher", [(1, 0.9), (2, 0.5), (3, 0.4)])]);
            var scatter = SvgCharts.Scatter("quality vs size", "params", "ndcg", [new Series("a", [(1e3, 0.5)]), new Series("b", [(1e5, 0.7)])]);
            var reliability = SvgCharts.Reliability("calibration", [new Series("student", [(0.1, 0.12), (0.5, 0.4), (0.9, 0.95)])]);
            var report = new HtmlReport("test & report").Heading("quality").Table(["model", "ndcg"], [["a", "0.5"], ["b<i>", "0.7"]])
                .Chart(line).Chart(scatter).Chart(reliability);
            var path = Path.Combine(directory.FullName, "report.html");
            var jsonPath = report.Write(path, new { ndcg = new[] { 0.5, 0.7 } }, new JsonSerializerOptions());
            var html = File.ReadAllText(path);
            Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
            Assert.Contains("b&lt;i&gt;", html, StringComparison.Ordinal);
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
