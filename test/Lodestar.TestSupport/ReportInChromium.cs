// A report page as a person sees it: rendered by Debian's headless chromium (HeadlessChromium), then read for what
// makes a page hard to read at a glance. Each problem is a sentence naming where it is.
using Microsoft.Playwright;

namespace Lodestar.TestSupport;

public static class ReportInChromium
{
    // Runs in the page: the problems it finds, as text.
    private const string Check = """
        () => {
          const problems = [];
          const box = e => e.getBoundingClientRect();
          const overlap = (a, b) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
          if (!document.querySelector('h1')) problems.push('no title (h1)');
          for (const h of document.querySelectorAll('h2')) {
            const next = h.nextElementSibling;
            if (!next || next.tagName !== 'P' || !next.classList.contains('shows') || next.textContent.trim().length < 40)
              problems.push(`section "${h.textContent}" has no paragraph on what it shows`);
          }
          document.querySelectorAll('figure svg').forEach((svg, i) => {
            const name = svg.querySelector('title')?.textContent ?? `chart ${i}`;
            const b = box(svg);
            if (b.width < 100 || b.height < 100) problems.push(`chart "${name}" is not drawn (${b.width}×${b.height})`);
            const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim().length > 0);
            for (let a = 0; a < texts.length; a++)
              for (let c = a + 1; c < texts.length; c++)
                if (overlap(box(texts[a]), box(texts[c])) > 4)
                  problems.push(`chart "${name}": labels "${texts[a].textContent}" and "${texts[c].textContent}" overlap`);
            if (svg.querySelector('line[stroke-dasharray]')) return;
            // One scale as the chart writer defines it: every series' typical magnitude within the ratio the chart states.
            const typical = [...svg.querySelectorAll('g.series[data-y-typical]')].map(g => +g.dataset.yTypical).filter(m => m > 0);
            const ratio = +svg.dataset.maxScaleRatio;
            if (typical.length > 1 && !(ratio >= 1))
              problems.push(`chart "${name}" draws several series without stating how far apart their magnitudes may be (data-max-scale-ratio)`);
            else if (typical.length > 1 && Math.max(...typical) > ratio * Math.min(...typical))
              problems.push(`chart "${name}" puts series of different magnitudes on one scale`);
            if (svg.querySelectorAll('g.series circle').length === 0)
              problems.push(`chart "${name}" has no points: an empty chart`);
            else if (svg.querySelectorAll('text.point').length === 0)
              problems.push(`chart "${name}" labels none of its points`);
          });
          for (const td of document.querySelectorAll('td')) {
            for (const part of td.textContent.split('±').map(p => p.trim())) {
              if (!/^-?[0-9]*\.[0-9]+$/.test(part)) continue;
              const significant = part.replace('-', '').replace('.', '').replace(/^0+/, '');
              if (significant.length > 4) problems.push(`table cell "${td.textContent}" has more digits than it means (${significant.length} significant)`);
            }
          }
          return problems;
        }
        """;

    /// <summary>What makes the report at <paramref name="path"/> hard to read; empty when nothing does. A screenshot is left beside it (.png).</summary>
    public static async Task<IReadOnlyList<string>> Problems(string path)
    {
        var (playwright, browser) = await HeadlessChromium.Launch();
        using var owner = playwright;
        await using var _ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add($"page error: {error}");
        await page.GotoAsync(new Uri(Path.GetFullPath(path)).AbsoluteUri);
        var problems = await page.EvaluateAsync<string[]>(Check);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.ChangeExtension(path, ".png"), FullPage = true });
        return [.. errors, .. problems];
    }
}
