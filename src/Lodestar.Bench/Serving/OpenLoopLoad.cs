// An open-loop HTTP load generator: request i is due at start + i/QPS whatever happened to the earlier ones, and its
// latency counts from when it was due, not from when it was sent, so a server that falls behind is charged for the
// queue it builds (no coordinated omission, as wrk2 and Gil Tene's HdrHistogram notes describe). Requests still out
// beyond a bound are not sent and counted as client overflow, so a dead server cannot exhaust the generator.
using System.Diagnostics;
using System.Net;
using Lodestar.Core;

namespace Lodestar.Bench.Serving;

/// <summary>One second of a level: answers, requests shed, and the p99 of the answered ones (0 when none).</summary>
public sealed record LoadSecond(int Second, long Answered, long Shed, double P99Milliseconds);

/// <summary>
/// One level of load: how many requests were due and what became of them (200, 429, 503, other failures, not sent),
/// the answered rate, and latency percentiles of the answered requests (from when each was due).
/// </summary>
public sealed record LoadLevel(string Phase, double TargetQps, double Seconds, long Due, long Answered, long Shed429, long Late503, long Failed, long NotSent,
    double AnsweredQps, double P50Milliseconds, double P95Milliseconds, double P99Milliseconds, double MaxMilliseconds, IReadOnlyList<LoadSecond> PerSecond)
{
    /// <summary>Share of due requests not answered 200.</summary>
    public double RefusedShare => Due == 0 ? 0 : (double)(Due - Answered) / Due;
}

public sealed class OpenLoopLoad(HttpClient client, Func<long, string> pathOf, int maxOutstanding = 4096)
{
    private readonly record struct Outcome(double LatencyMilliseconds, int Status, double DueSeconds);

    /// <summary>Sends <paramref name="qps"/> requests a second for <paramref name="seconds"/> and waits for the last answer.</summary>
    public async Task<LoadLevel> Run(string phase, double qps, double seconds, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(qps, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(seconds, 0);
        var due = (int)Math.Round(qps * seconds);
        var outcomes = new Outcome[due];
        var sends = new List<Task>(due);
        var outstanding = 0;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < due; i++)
        {
            var dueAt = i / qps;
            var wait = dueAt - Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (wait > 0.001)
            {
                await Task.Delay(TimeSpan.FromSeconds(wait), cancel).ConfigureAwait(false);
            }
            if (Volatile.Read(ref outstanding) >= maxOutstanding)
            {
                outcomes[i] = new Outcome(0, 0, dueAt);
                continue;
            }
            Interlocked.Increment(ref outstanding);
            var index = i;
            sends.Add(Task.Run(async () =>
            {
                var status = -1;
                try
                {
                    using var response = await client.GetAsync(pathOf(index), HttpCompletionOption.ResponseContentRead, cancel).ConfigureAwait(false);
                    status = (int)response.StatusCode;
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException) when (!cancel.IsCancellationRequested)
                {
                }
                finally
                {
                    Interlocked.Decrement(ref outstanding);
                }
                outcomes[index] = new Outcome((Stopwatch.GetElapsedTime(start).TotalSeconds - dueAt) * 1000, status, dueAt);
            }, cancel));
        }
        await Task.WhenAll(sends).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return Summarise(phase, qps, seconds, outcomes, elapsed);
    }

    private static LoadLevel Summarise(string phase, double qps, double seconds, Outcome[] outcomes, double elapsed)
    {
        var answered = outcomes.Where(o => o.Status == (int)HttpStatusCode.OK).Select(o => o.LatencyMilliseconds).ToList();
        var perSecond = outcomes.GroupBy(o => (int)o.DueSeconds).OrderBy(g => g.Key).Select(g =>
        {
            var ok = g.Where(o => o.Status == (int)HttpStatusCode.OK).Select(o => o.LatencyMilliseconds).ToList();
            return new LoadSecond(g.Key, ok.Count, g.LongCount(o => o.Status is 429 or 503), ok.Count == 0 ? 0 : Statistics.Percentile(ok, 0.99));
        }).ToList();
        double At(double fraction) => answered.Count == 0 ? 0 : Statistics.Percentile(answered, fraction);
        return new LoadLevel(phase, qps, seconds, outcomes.Length, answered.Count,
            outcomes.LongCount(o => o.Status == 429), outcomes.LongCount(o => o.Status == 503),
            outcomes.LongCount(o => o.Status is not (200 or 429 or 503 or 0)), outcomes.LongCount(o => o.Status == 0),
            answered.Count / elapsed, At(0.50), At(0.95), At(0.99), answered.Count == 0 ? 0 : answered.Max(), perSecond);
    }
}
