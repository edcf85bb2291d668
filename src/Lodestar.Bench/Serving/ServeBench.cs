// `lodestar bench serve`: a running server's feed or jobs endpoint under open-loop load on 127.0.0.1. Levels of rising QPS
// until the answered p99 crosses the budget or more than 1% is refused (the capacity is the last level within both),
// then twice the capacity (what is admitted should keep p99 within twice the budget, the rest shed with 429/503,
// memory flat, no failures), then the capacity again, second by second, to see how soon p99 is back within budget.
using System.CommandLine;
using System.Globalization;
using System.Net;
using Lodestar.Core;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Spectre.Console;

namespace Lodestar.Bench.Serving;

/// <summary>The server's memory as its /metrics reports it (working set, heap left by the last collection), in bytes.</summary>
public sealed record ServerMemory(long WorkingSetBytes, long HeapAfterLastCollectionBytes);

public sealed record ServeBenchResult(string Url, string Endpoint, int Members, double BudgetMilliseconds, string ClientIsa, IReadOnlyList<LoadLevel> Levels,
    double? CapacityQps, LoadLevel? Overload, LoadLevel? Recovery, int? RecoverySeconds, ServerMemory? MemoryBeforeOverload, ServerMemory? MemoryAfterOverload,
    ServerMemory? MemoryAfterRecovery);

public static class ServeBench
{
    public static Command Create(BenchOutput output)
    {
        var url = new Option<string>("--url") { Description = "The server's address (`lodestar serve`), on 127.0.0.1.", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var world = new Option<DirectoryInfo>("--world") { Description = "The world the server serves: its members are the requests' ids.", Required = true };
        var levels = new Option<string>("--qps") { Description = "Comma-separated load levels, requests per second, ascending.", DefaultValueFactory = _ => "10,20,30,40,50,60,80,100,120,150" };
        var seconds = new Option<double>("--seconds") { Description = "Seconds at each level.", DefaultValueFactory = _ => 10 };
        var budget = new Option<double>("--budget-ms") { Description = "The p99 latency budget of an answered request, milliseconds.", DefaultValueFactory = _ => 50 };
        var overload = new Option<double>("--overload-seconds") { Description = "Seconds at twice the capacity.", DefaultValueFactory = _ => 20 };
        var recovery = new Option<double>("--recovery-seconds") { Description = "Seconds back at the capacity after the overload.", DefaultValueFactory = _ => 10 };
        var warmup = new Option<double>("--warmup-seconds") { Description = "Seconds of load at the first level before any is measured (JIT tiers, caches).", DefaultValueFactory = _ => 15 };
        var endpoint = new Option<string>("--endpoint") { Description = "The member endpoint loaded: feed or jobs.", DefaultValueFactory = _ => "feed" };
        endpoint.AcceptOnlyFromAmong(Endpoints);
        var limit = new Option<int>("--limit") { Description = "Items each request asks for.", DefaultValueFactory = _ => 20 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the member drawn for each request.", DefaultValueFactory = _ => 1 };
        var json = output.CreateJsonOption();
        var command = new Command("serve", "Open-loop load on a running server's feed or jobs endpoint: latency per level, the capacity within a p99 budget, behaviour at twice it, recovery.")
        {
            Options = { url, world, endpoint, levels, seconds, warmup, budget, overload, recovery, limit, seed, json },
        };
        command.SetAction(parse =>
        {
            var qps = parse.GetValue(levels)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(l => double.TryParse(l, NumberStyles.Float, CultureInfo.InvariantCulture, out var q) && q > 0 ? q : throw new ArgumentException($"--qps: \"{l}\" is not a positive number"))
                .ToArray();
            var members = JsonlReader.Read(Path.Combine(parse.GetValue(world)!.FullName, DataFiles.Members), DataJson.Compact.Member).Select(m => m.Id).ToArray();
            var result = Run(parse.GetValue(url)!, parse.GetValue(endpoint)!, members, qps, parse.GetValue(seconds), parse.GetValue(warmup), parse.GetValue(budget), parse.GetValue(overload), parse.GetValue(recovery),
                parse.GetValue(limit), parse.GetValue(seed), parse.GetValue(json) ? Console.Error.WriteLine : Console.Out.WriteLine).GetAwaiter().GetResult();
            if (parse.GetValue(json))
            {
                output.WriteJson(result);
                return 0;
            }
            var table = new Table().AddColumns("phase", "target QPS", "answered QPS", "p50 ms", "p95 ms", "p99 ms", "429", "503", "failed", "not sent");
            foreach (var level in result.Levels.Append(result.Overload).Append(result.Recovery).OfType<LoadLevel>())
            {
                table.AddRow(level.Phase, $"{level.TargetQps:F0}", $"{level.AnsweredQps:F1}", $"{level.P50Milliseconds:F1}", $"{level.P95Milliseconds:F1}", $"{level.P99Milliseconds:F1}",
                    $"{level.Shed429}", $"{level.Late503}", $"{level.Failed}", $"{level.NotSent}");
            }
            var console = output.ConsoleFor(false);
            console.Write(table);
            console.WriteLine(result.CapacityQps is { } capacity
                ? $"capacity within p99 ≤ {result.BudgetMilliseconds} ms: {capacity} QPS; back at it after 2×, p99 within budget from second {result.RecoverySeconds?.ToString(CultureInfo.InvariantCulture) ?? "never"}"
                : $"no level kept p99 within {result.BudgetMilliseconds} ms");
            if (result.MemoryBeforeOverload is { } before && result.MemoryAfterOverload is { } after)
            {
                console.WriteLine($"server working set {before.WorkingSetBytes / 1e6:F0} MB before the overload, {after.WorkingSetBytes / 1e6:F0} MB after it"
                    + (result.MemoryAfterRecovery is { } recovered ? $", {recovered.WorkingSetBytes / 1e6:F0} MB after recovery" : ""));
            }
            return 0;
        });
        return command;
    }

    /// <summary>The member endpoints the bench can load: GET /v1/members/{id}/{endpoint}.</summary>
    public static readonly string[] Endpoints = ["feed", "jobs"];

    public static async Task<ServeBenchResult> Run(string url, string endpoint, IReadOnlyList<long> members, IReadOnlyList<double> levels, double seconds, double warmupSeconds, double budget,
        double overloadSeconds, double recoverySeconds, int limit, ulong seed, Action<string> progress)
    {
        if (!Endpoints.Contains(endpoint))
        {
            throw new ArgumentException($"--endpoint {endpoint}: one of {string.Join(", ", Endpoints)}");
        }
        if (members.Count == 0)
        {
            throw new ArgumentException("the world has no members to ask for");
        }
        var address = new Uri(url);
        if (!IPAddress.TryParse(address.Host, out var ip) || !IPAddress.IsLoopback(ip))
        {
            throw new ArgumentException($"--url {url}: load is only sent to a loopback address (127.0.0.1)");
        }
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        var ready = await client.GetAsync("/readyz").ConfigureAwait(false);
        if (ready.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{url}/readyz answered {(int)ready.StatusCode}; start `lodestar serve` and wait until it is ready");
        }
        var load = new OpenLoopLoad(client, i => $"/v1/members/{members[(int)(SeededRandom.Mix(seed, (ulong)i) % (ulong)members.Count)]}/{endpoint}?limit={limit}");
        progress($"warming up at {levels[0]} QPS for {warmupSeconds} s");
        await load.Run("warm-up", levels[0], warmupSeconds).ConfigureAwait(false);
        var results = new List<LoadLevel>();
        double? capacity = null;
        foreach (var qps in levels)
        {
            var level = await load.Run("level", qps, seconds).ConfigureAwait(false);
            results.Add(level);
            progress($"{qps} QPS: answered {level.AnsweredQps:F1}/s, p99 {level.P99Milliseconds:F1} ms, refused {level.RefusedShare:P1}");
            if (level.P99Milliseconds > budget || level.RefusedShare > 0.01 || level.Failed > 0)
            {
                break;
            }
            capacity = qps;
        }
        if (capacity is not { } within)
        {
            return new ServeBenchResult(url, endpoint, members.Count, budget, Isa(), results, null, null, null, null, null, null, null);
        }
        var before = await Memory(client).ConfigureAwait(false);
        progress($"overload: {2 * within} QPS for {overloadSeconds} s");
        var overload = await load.Run("2x capacity", 2 * within, overloadSeconds).ConfigureAwait(false);
        var after = await Memory(client).ConfigureAwait(false);
        progress($"recovery: {within} QPS for {recoverySeconds} s");
        var recovery = await load.Run("recovery", within, recoverySeconds).ConfigureAwait(false);
        var recovered = await Memory(client).ConfigureAwait(false);
        return new ServeBenchResult(url, endpoint, members.Count, budget, Isa(), results, within, overload, recovery, RecoveredAt(recovery, budget), before, after, recovered);
    }

    /// <summary>The first second from which every second's answered p99 stays within the budget and nothing is shed.</summary>
    public static int? RecoveredAt(LoadLevel level, double budget)
    {
        for (var s = 0; s < level.PerSecond.Count; s++)
        {
            if (level.PerSecond.Skip(s).All(x => x.P99Milliseconds <= budget && x.Shed == 0))
            {
                return level.PerSecond[s].Second;
            }
        }
        return null;
    }

    /// <summary>The server's working set and post-collection heap from its Prometheus text (System.Runtime meter), or null when absent.</summary>
    private static async Task<ServerMemory?> Memory(HttpClient client)
    {
        var text = await client.GetStringAsync("/metrics").ConfigureAwait(false);
        long? Value(string prefix)
        {
            var values = text.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal))
                .Select(l => (long)double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)).ToList();
            return values.Count == 0 ? null : values.Sum();
        }
        var working = Value("dotnet_process_memory_working_set_bytes");
        var heap = Value("dotnet_gc_last_collection_heap_size_bytes");
        return working is { } w && heap is { } h ? new ServerMemory(w, h) : null;
    }

    private static string Isa() => PeakBench.Isa;
}
