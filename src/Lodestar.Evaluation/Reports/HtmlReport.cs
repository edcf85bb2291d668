// A self-contained HTML report (sections, each with a paragraph on what it shows; tables; inline SVG charts) written
// atomically, with a JSON file of the same numbers beside it, so people read the page and tools read the JSON.
// Numbers in tables are written by the caller with ReportNumber, so every report rounds them the same way.
using System.Net;
using System.Text;
using System.Text.Json;
using Lodestar.Core;

namespace Lodestar.Evaluation.Reports;

public sealed class HtmlReport(string title)
{
    private readonly StringBuilder _body = new();

    /// <summary>Starts a section: its heading and one paragraph on what it shows and how to read it.</summary>
    public HtmlReport Section(string heading, string whatItShows)
    {
        _body.Append("<h2>").Append(WebUtility.HtmlEncode(heading)).Append("</h2>\n<p class=\"shows\">").Append(WebUtility.HtmlEncode(whatItShows)).Append("</p>\n");
        return this;
    }

    public HtmlReport Paragraph(string text)
    {
        _body.Append("<p>").Append(WebUtility.HtmlEncode(text)).Append("</p>\n");
        return this;
    }

    public HtmlReport Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        _body.Append("<table><thead><tr>");
        foreach (var cell in header)
        {
            _body.Append("<th>").Append(WebUtility.HtmlEncode(cell)).Append("</th>");
        }
        _body.Append("</tr></thead><tbody>\n");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            foreach (var cell in row)
            {
                _body.Append("<td>").Append(WebUtility.HtmlEncode(cell)).Append("</td>");
            }
            _body.Append("</tr>\n");
        }
        _body.Append("</tbody></table>\n");
        return this;
    }

    /// <summary>Adds an SVG made by <see cref="SvgCharts"/> (trusted markup, not escaped).</summary>
    public HtmlReport Chart(string svg)
    {
        _body.Append("<figure>").Append(svg).Append("</figure>\n");
        return this;
    }

    public string ToHtml() =>
        $"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title>\n" +
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse;margin:1em 0}" +
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f3f3f3}figure{display:inline-block;margin:0.5em}" +
        "p.shows{color:#333;max-width:60em}</style>\n" +
        $"</head><body>\n<h1>{WebUtility.HtmlEncode(title)}</h1>\n{_body}</body></html>\n";

    /// <summary>Writes path (HTML) and the JSON of <paramref name="numbers"/> beside it (same name, .json); returns the JSON path.</summary>
    public string Write<T>(string path, T numbers, JsonSerializerOptions options)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var jsonPath = Path.ChangeExtension(path, ".json");
        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(ToHtml()));
        AtomicFile.WriteAllBytes(jsonPath, JsonSerializer.SerializeToUtf8Bytes(numbers, options));
        return jsonPath;
    }
}
