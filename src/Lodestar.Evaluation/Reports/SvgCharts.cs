// Small inline-SVG charts for HTML reports (no scripts, no external files): line charts of curves,
// scatter plots with labeled points, and reliability diagrams against the diagonal.
using System.Globalization;
using System.Net;
using System.Text;

namespace Lodestar.Evaluation.Reports;

public sealed record Series(string Name, IReadOnlyList<(double X, double Y)> Points);

public static class SvgCharts
{
    private const int Width = 520;
    private const int Height = 320;
    private const int Margin = 48;
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf"];

    public static string LineChart(string title, string xLabel, string yLabel, IReadOnlyList<Series> series) =>
        Chart(title, xLabel, yLabel, series, lines: true, diagonal: false);

    public static string Scatter(string title, string xLabel, string yLabel, IReadOnlyList<Series> series) =>
        Chart(title, xLabel, yLabel, series, lines: false, diagonal: false);

    /// <summary>Mean predicted probability (x) against observed rate (y) per bin, with the y = x line of perfect calibration.</summary>
    public static string Reliability(string title, IReadOnlyList<Series> series) =>
        Chart(title, "mean predicted probability", "observed rate", series, lines: true, diagonal: true);

    private static string Chart(string title, string xLabel, string yLabel, IReadOnlyList<Series> series, bool lines, bool diagonal)
    {
        var points = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        double x0 = diagonal ? 0 : points.Count == 0 ? 0 : points.Min(p => p.X), x1 = diagonal ? 1 : points.Count == 0 ? 1 : points.Max(p => p.X);
        double y0 = diagonal ? 0 : points.Count == 0 ? 0 : points.Min(p => p.Y), y1 = diagonal ? 1 : points.Count == 0 ? 1 : points.Max(p => p.Y);
        if (x1 <= x0)
        {
            x1 = x0 + 1;
        }
        if (y1 <= y0)
        {
            y1 = y0 + 1;
        }
        string X(double x) => F(Margin + ((x - x0) / (x1 - x0) * (Width - (2 * Margin))));
        string Y(double y) => F(Height - Margin - ((y - y0) / (y1 - y0) * (Height - (2 * Margin))));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Escape(title)}</title><text x=\"{Width / 2}\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">{Escape(title)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Margin}\" y1=\"{Height - Margin}\" x2=\"{Width - Margin}\" y2=\"{Height - Margin}\" stroke=\"#333\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Margin}\" y1=\"{Margin}\" x2=\"{Margin}\" y2=\"{Height - Margin}\" stroke=\"#333\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{Height - 10}\" text-anchor=\"middle\" font-size=\"12\">{Escape(xLabel)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{Height / 2}\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 14 {Height / 2})\">{Escape(yLabel)}</text>");
        foreach (var (value, anchor) in new[] { (x0, "start"), (x1, "end") })
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(value)}\" y=\"{Height - Margin + 14}\" text-anchor=\"{anchor}\" font-size=\"10\">{Tick(value)}</text>");
        }
        foreach (var value in new[] { y0, y1 })
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Margin - 4}\" y=\"{Y(value)}\" text-anchor=\"end\" font-size=\"10\">{Tick(value)}</text>");
        }
        if (diagonal)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{X(0)}\" y1=\"{Y(0)}\" x2=\"{X(1)}\" y2=\"{Y(1)}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>");
        }
        for (var s = 0; s < series.Count; s++)
        {
            var color = Colors[s % Colors.Length];
            var finite = series[s].Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
            if (lines && finite.Count > 1)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{string.Join(" ", finite.Select(p => $"{X(p.X)},{Y(p.Y)}"))}\"/>");
            }
            foreach (var p in finite)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(p.X)}\" cy=\"{Y(p.Y)}\" r=\"{(lines ? 2.5 : 5)}\" fill=\"{color}\"/>");
            }
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Width - Margin - 130}\" y=\"{Margin + (s * 16) - 9}\" width=\"10\" height=\"10\" fill=\"{color}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Margin - 115}\" y=\"{Margin + (s * 16)}\" font-size=\"11\">{Escape(series[s].Name)}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Tick(double v) => v.ToString("G3", CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
