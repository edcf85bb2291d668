// Debian's chromium, headless, driven through Playwright: the real browser the page tests and the report check use.
using Microsoft.Playwright;
using Xunit;

namespace Lodestar.TestSupport;

public static class HeadlessChromium
{
    /// <summary>Installed by .ci/install-prerequisites (apt-get install chromium).</summary>
    public const string Path = "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> Launch()
    {
        Assert.True(File.Exists(Path), $"{Path} is missing: install Debian's chromium (`apt-get install chromium`; .ci/install-prerequisites does)");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Path, Headless = true, Args = ["--no-sandbox"] });
        return (playwright, browser);
    }
}
