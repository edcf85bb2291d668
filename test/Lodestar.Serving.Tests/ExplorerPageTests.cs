// The explorer page in a real headless Chromium (Debian's, driven by Playwright): a member picked from the suggestions
// shows the profile, the recent impressions, the feed the API returns, item for item with its six probability bars
// and reasons, and the job matches the API returns with every policy dimension's level in the rubric's words; an impression ingested through the API shows up after Refresh. A screenshot is kept under
// test/Lodestar.Serving.Tests/TestResults/.
using System.Net;
using System.Text;
using System.Text.Json;
using Lodestar.Pipelines.Events;
using Lodestar.TestSupport;
using Microsoft.Playwright;

namespace Lodestar.Serving.Tests;

public sealed class ExplorerPageTests(ServingWorld world) : IClassFixture<ServingWorld>
{
    [Fact]
    public async Task A_member_shows_profile_history_and_the_feed_the_api_returns_and_fresh_events_after_refresh()
    {
        var (playwright, browser) = await HeadlessChromium.Launch();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
            var errors = new List<string>();
            page.PageError += (_, error) => errors.Add(error);
            await page.GotoAsync(world.Host.Addresses[0]);

            var first = world.Snapshot.Members.Keys.Order().First();
            await page.Locator($"#suggestions button:text-is('{first}')").ClickAsync();
            await page.Locator("#feed .item").First.WaitForAsync();
            Assert.Equal(world.Snapshot.Members[first].Headline, await page.Locator("#profile [data-field=headline]").InnerTextAsync());

            var member = world.Log.Members.OrderBy(m => world.Log.ImpressionsOf(m).Count).ThenBy(m => m).ElementAt(world.Log.Members.Count() / 2);
            await page.Locator("#member-input").FillAsync(member.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await page.Locator("#show-button").ClickAsync();
            await page.Locator("#status").Filter(new LocatorFilterOptions { HasText = $"member {member} as of" }).WaitForAsync();
            var api = JsonDocument.Parse(await world.Client.GetStringAsync($"/v1/members/{member}/feed?limit=20")).RootElement;
            var expected = api.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("post_id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            var shown = await page.Locator("#feed .item").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.post)");
            Assert.Equal(expected, shown);
            Assert.Equal(6, await page.Locator("#feed .item").First.Locator("svg.bars rect").CountAsync());
            Assert.True(await page.Locator("#feed .item").First.Locator(".why li").CountAsync() >= 2);
            var impressions = world.Log.ImpressionsOf(member);
            Assert.Equal(Math.Min(20, impressions.Count), await page.Locator("#history li").CountAsync());

            var jobs = JsonDocument.Parse(await world.Client.GetStringAsync($"/v1/members/{member}/jobs?limit=10")).RootElement.GetProperty("jobs").EnumerateArray().ToList();
            Assert.NotEmpty(jobs);
            var jobsShown = await page.Locator("#jobs .job").EvaluateAllAsync<string[]>("jobs => jobs.map(j => j.dataset.job)");
            Assert.Equal(jobs.Select(j => j.GetProperty("job_id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)), jobsShown);
            var firstJob = page.Locator("#jobs .job").First;
            foreach (var dimension in jobs[0].GetProperty("dimensions").EnumerateArray())
            {
                var line = await firstJob.Locator($"[data-dimension='{dimension.GetProperty("id").GetString()}']").InnerTextAsync();
                Assert.Contains(dimension.GetProperty("words").GetString()!, line);
            }
            Assert.Contains(jobs[0].GetProperty("overall_words").GetString()!, await firstJob.Locator(".overall").InnerTextAsync());

            var screenshots = Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "test", "Lodestar.Serving.Tests", "TestResults")).FullName;
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "explorer.png"), FullPage = true });

            // A new impression of the feed's top post, liked, ingested through the API: after Refresh it heads the history
            // and, being seen now, is gone from the feed.
            var top = long.Parse(expected[0], System.Globalization.CultureInfo.InvariantCulture);
            var shownNow = impressions[^1] with { Id = 990_001, PostId = top, Time = world.Host.Clock.Now + 30, Like = true, Skip = false };
            var posted = await world.Client.PostAsync("/v1/events", new StringContent(NearlineEvent.Shown(shownNow).ToJson(), Encoding.UTF8, "application/x-ndjson"));
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
            world.Pipeline.Drain();
            await page.Locator("#refresh-button").ClickAsync();
            await page.Locator("#history li").First.And(page.Locator($"[data-post='{top}']")).WaitForAsync();
            Assert.Contains("like", await page.Locator("#history li").First.InnerTextAsync());
            Assert.Equal(0, await page.Locator($"#feed .item[data-post='{top}']").CountAsync());
            Assert.Empty(errors);
        }
    }

    [Fact]
    public async Task An_unknown_member_shows_the_servers_reason()
    {
        var (playwright, browser) = await HeadlessChromium.Launch();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync();
            await page.GotoAsync(world.Host.Addresses[0] + "?member=999999999");
            await page.Locator("#status.error").WaitForAsync();
            Assert.Contains("999999999 is not in the store", await page.Locator("#status").InnerTextAsync());
        }
    }
}
