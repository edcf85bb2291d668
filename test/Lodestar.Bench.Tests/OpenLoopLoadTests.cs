// The open-loop load generator against a small real HTTP server on loopback: every due request is accounted for as
// answered, shed (429, 503), failed or not sent; latency counts from when a request was due, so a server that answers
// late is charged for it; and the recovery rule finds the first second from which every second is within budget.
using System.Net;
using Lodestar.Bench.Serving;

namespace Lodestar.Bench.Tests;

public sealed class OpenLoopLoadTests
{
    /// <summary>An HttpListener on a free loopback port: every third request is shed with 429, the rest answered after <paramref name="delay"/>.</summary>
    private static (HttpListener Listener, string Url, Task Serving) Serve(TimeSpan delay, CancellationToken stop)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = 20000 + Random.Shared.Next(20000);
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
            }
            catch (HttpListenerException) when (attempt < 20)
            {
                continue;
            }
            var count = 0;
            var serving = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await listener.GetContextAsync();
                    }
                    catch (Exception) when (stop.IsCancellationRequested)
                    {
                        return;
                    }
                    var n = Interlocked.Increment(ref count);
                    _ = Task.Run(async () =>
                    {
                        if (n % 3 != 0)
                        {
                            await Task.Delay(delay);
                        }
                        context.Response.StatusCode = n % 3 == 0 ? 429 : 200;
                        context.Response.Close();
                    });
                }
            });
            return (listener, $"http://127.0.0.1:{port}", serving);
        }
    }

    [Fact]
    public async Task Every_due_request_is_accounted_for_and_latency_counts_from_when_it_was_due()
    {
        using var stop = new CancellationTokenSource();
        var (listener, url, serving) = Serve(TimeSpan.FromMilliseconds(20), stop.Token);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(url) };
            var level = await new OpenLoopLoad(client, i => $"/item/{i}").Run("test", qps: 60, seconds: 2);
            Assert.Equal(120, level.Due);
            Assert.Equal(level.Due, level.Answered + level.Shed429 + level.Late503 + level.Failed + level.NotSent);
            Assert.Equal(40, level.Shed429);
            Assert.Equal(80, level.Answered);
            Assert.True(level.P50Milliseconds >= 20, $"p50 {level.P50Milliseconds} ms is below the server's 20 ms delay");
            Assert.True(level.P50Milliseconds <= level.P95Milliseconds && level.P95Milliseconds <= level.P99Milliseconds && level.P99Milliseconds <= level.MaxMilliseconds);
            Assert.Equal([0, 1], level.PerSecond.Select(s => s.Second));
            Assert.Equal(level.Answered, level.PerSecond.Sum(s => s.Answered));
        }
        finally
        {
            await stop.CancelAsync();
            listener.Stop();
            await serving;
        }
    }

    [Fact]
    public void Recovery_is_the_first_second_from_which_every_second_is_within_budget_and_unshed()
    {
        static LoadLevel Level(params LoadSecond[] seconds) => new("recovery", 10, seconds.Length, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, seconds);
        Assert.Equal(2, ServeBench.RecoveredAt(Level(new(0, 9, 0, 80), new(1, 9, 1, 40), new(2, 10, 0, 45), new(3, 10, 0, 30)), budget: 50));
        Assert.Equal(0, ServeBench.RecoveredAt(Level(new(0, 9, 0, 20), new(1, 9, 0, 40)), budget: 50));
        Assert.Null(ServeBench.RecoveredAt(Level(new(0, 9, 0, 20), new(1, 9, 0, 60)), budget: 50));
    }
}
