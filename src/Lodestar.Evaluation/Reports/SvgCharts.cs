// Small inline-SVG charts for HTML reports (no scripts, no external files): line charts of curves, scatter plots,
// and reliability diagrams against the diagonal. Made to be read at a glance: five labelled ticks an axis, every
// scatter point labelled with its series, every curve's last point with its value, and one scale per chart (the
// series of one chart must be of one magnitude; a chart mixing a loss near 6 with losses near 1 is refused, draw
// one chart each). Each series' y-range is kept in data attributes for checks.
using System.Globalization;
using System.Net;
using System.Text;

namespace Lodestar.Evaluation.Reports;

public sealed record Series(string Name, IReadOnlyList<(double X, double Y)> Points)
{
    /// <summary>One series per (name, value) pair over the same rows at their x, leaving out rows where the value is null
    /// and series with no point (a reference a run does not have).</summary>
    public static IReadOnlyList<Series> Of<TRow>(IReadOnlyList<(TRow Row, double X)> rows, params (string Name, Func<TRow, double?> Value)[] values) =>
    [
        .. values.Select(v => new Series(v.Name, [.. rows.Select(r => (r.X, Y: v.Value(r.Row))).Where(p => p.Y is not null).Select(p => (p.X, p.Y!.Value))]))
            .Where(s => s.Points.Count > 0),
    ];
}

public static class SvgCharts
{
    private const int Width = 560;
    private const int Height = 340;
    private const int Left = 60;
    private const int Right = 150;
    private const int Top = 34;
    private const int Bottom = 48;
    private const int Ticks = 5;

    /// <summary>How far apart, as a ratio of their typical magnitudes, the series of one chart may be.</summary>
    public const double MaxScaleRatio = 3;

    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf"];

    public static string LineChart(string title, string xLabel, string yLabel, IReadOnlyList<Series> series) =>
        Chart(title, xLabel, yLabel, series, lines: true, diagonal: false);

    /// <summary>One line chart of the series when they are of one magnitude, else one chart each (titled "title: series").</summary>
    public static IEnumerable<string> LineCharts(string title, string xLabel, string yLabel, IReadOnlyList<Series> series) =>
        OneScale(series) ? [LineChart(title, xLabel, yLabel, series)] : series.Select(s => LineChart($"{title}: {s.Name}", xLabel, yLabel, [s]));

    public static string Scatter(string title, string xLabel, string yLabel, IReadOnlyList<Series> series) =>
        Chart(title, xLabel, yLabel, series, lines: false, diagonal: false);

    /// <summary>Points on [0, 1] × [0, 1] against the y = x line (a share against the share it should be): no line between points.</summary>
    public static string Parity(string title, string xLabel, string yLabel, IReadOnlyList<Series> series) =>
        Chart(title, xLabel, yLabel, series, lines: false, diagonal: true);

    /// <summary>Mean predicted probability (x) against observed rate (y) per bin, with the y = x line of perfect calibration.</summary>
    public static string Reliability(string title, IReadOnlyList<Series> series) =>
        Chart(title, "mean predicted probability", "observed rate", series, lines: true, diagonal: true);

    /// <summary>Whether the series are of one magnitude: each one's median |y| within <see cref="MaxScaleRatio"/> of the others'.</summary>
    public static bool OneScale(IReadOnlyList<Series> series)
    {
        var typical = series.Select(Typical).Where(m => m is > 0).Select(m => m!.Value).ToList();
        return typical.Count < 2 || typical.Max() <= MaxScaleRatio * typical.Min();
    }

    /// <summary>A series' typical magnitude, its median |y| (null without a finite point); written on the chart as data-y-typical.</summary>
    public static double? Typical(Series series) => Median(series.Points.Select(p => Math.Abs(p.Y)).Where(double.IsFinite));

    private static double? Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? null : sorted[sorted.Count / 2];
    }

    private static string Chart(string title, string xLabel, string yLabel, IReadOnlyList<Series> series, bool lines, bool diagonal)
    {
        if (!diagonal && !OneScale(series))
        {
            throw new ArgumentException($"chart '{title}': its series ({string.Join(", ", series.Select(s => s.Name))}) are of different magnitudes; draw one chart each");
        }
        var points = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        double x0 = diagonal ? 0 : points.Count == 0 ? 0 : points.Min(p => p.X), x1 = diagonal ? 1 : points.Count == 0 ? 1 : points.Max(p => p.X);
        double y0 = diagonal ? 0 : points.Count == 0 ? 0 : points.Min(p => p.Y), y1 = diagonal ? 1 : points.Count == 0 ? 1 : points.Max(p => p.Y);
        if (x1 <= x0)
        {
            (x0, x1) = (x0 - 0.5, x1 + 0.5);
        }
        if (y1 <= y0)
        {
            (y0, y1) = (y0 - 0.5, y1 + 0.5);
        }
        // A little room around the data, so no point sits on an axis and labels fit beside the outermost points.
        var (padX, padY) = diagonal ? (0, 0) : (lines ? 0 : (x1 - x0) * 0.08, (y1 - y0) * 0.08);
        (x0, x1, y0, y1) = (x0 - padX, x1 + padX, y0 - padY, y1 + padY);
        double Xv(double x) => Left + ((x - x0) / (x1 - x0) * (Width - Left - Right));
        double Yv(double y) => Height - Bottom - ((y - y0) / (y1 - y0) * (Height - Top - Bottom));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" font-family=\"sans-serif\" data-max-scale-ratio=\"{R(MaxScaleRatio)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Escape(title)}</title><text x=\"{(Left + Width - Right) / 2}\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">{Escape(title)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"#333\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"#333\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\" font-size=\"12\">{Escape(xLabel)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{(Top + Height - Bottom) / 2}\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 14 {(Top + Height - Bottom) / 2})\">{Escape(yLabel)}</text>");
        for (var t = 0; t < Ticks; t++)
        {
            var x = x0 + ((x1 - x0) * t / (Ticks - 1));
            var y = y0 + ((y1 - y0) * t / (Ticks - 1));
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(Xv(x))}\" y1=\"{Height - Bottom}\" x2=\"{F(Xv(x))}\" y2=\"{Height - Bottom + 4}\" stroke=\"#333\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{F(Xv(x))}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\" font-size=\"10\">{ReportNumber.Format(x)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left - 4}\" y1=\"{F(Yv(y))}\" x2=\"{Width - Right}\" y2=\"{F(Yv(y))}\" stroke=\"#eee\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{Left - 6}\" y=\"{F(Yv(y) + 3)}\" text-anchor=\"end\" font-size=\"10\">{ReportNumber.Format(y)}</text>");
        }
        if (diagonal)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(Xv(0))}\" y1=\"{F(Yv(0))}\" x2=\"{F(Xv(1))}\" y2=\"{F(Yv(1))}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>");
        }
        var labels = new List<Box>();
        for (var s = 0; s < series.Count; s++)
        {
            var color = Colors[s % Colors.Length];
            var finite = series[s].Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
            var typical = Typical(series[s]) is { } magnitude ? $" data-y-typical=\"{R(magnitude)}\"" : "";
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"series\" data-name=\"{Escape(series[s].Name)}\"{typical}>");
            if (lines && finite.Count > 1)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{string.Join(" ", finite.Select(p => $"{F(Xv(p.X))},{F(Yv(p.Y))}"))}\"/>");
            }
            foreach (var p in finite)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(Xv(p.X))}\" cy=\"{F(Yv(p.Y))}\" r=\"{(lines ? 2.5 : 5)}\" fill=\"{color}\"/>");
            }
            // A scatter point is labelled with its series; a curve's last point with its value; each where it collides with no
            // other label, or not at all when every spot near it is taken.
            if (finite.Count > 0)
            {
                var (label, at) = lines ? (ReportNumber.Format(finite[^1].Y), finite[^1]) : (series[s].Name, finite[0]);
                if (Place(labels, Xv(at.X), Yv(at.Y), label) is var (x, y, anchor))
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<text class=\"point\" x=\"{F(x)}\" y=\"{F(y)}\" text-anchor=\"{anchor}\" font-size=\"10\" fill=\"{color}\">{Escape(label)}</text>");
                }
            }
            svg.Append("</g>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Width - Right + 12}\" y=\"{Top + (s * 18) - 9}\" width=\"10\" height=\"10\" fill=\"{color}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"legend\" x=\"{Width - Right + 26}\" y=\"{Top + (s * 18)}\" font-size=\"11\">{Escape(series[s].Name)}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    private readonly record struct Box(double Left, double Top, double Right, double Bottom)
    {
        public bool Overlaps(Box other) => Left < other.Right && other.Left < Right && Top < other.Bottom && other.Top < Bottom;
    }

    // Where a point's label goes: beside the point (right, then left; above, then below, then further out), the first
    // spot inside the plot that no earlier label takes. Text boxes are estimated (0.62 em a character at 10 px).
    private static (double X, double Y, string Anchor)? Place(List<Box> taken, double x, double y, string label)
    {
        var width = (label.Length * 6.2) + 2;
        (double Dx, double Dy)[] spots = [(7, -7), (-7, -7), (7, 15), (-7, 15), (7, -19), (-7, -19), (7, 27), (-7, 27)];
        foreach (var (dx, dy) in spots)
        {
            var left = dx > 0 ? x + dx : x + dx - width;
            var box = new Box(left, y + dy - 10, left + width, y + dy + 3);
            if (box.Left >= Left && box.Right <= Width - Right && box.Top >= Top && box.Bottom <= Height - Bottom && !taken.Any(box.Overlaps))
            {
                taken.Add(box);
                return (x + dx, y + dy, dx > 0 ? "start" : "end");
            }
        }
        // Nowhere free: the series goes unlabelled (its legend entry names it) unless it would leave the chart with no label.
        return taken.Count == 0 ? (x + 7, y - 7, "start") : null;
    }

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
