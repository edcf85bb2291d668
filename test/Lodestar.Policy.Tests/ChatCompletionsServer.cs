// An in-process OpenAI-compatible server (Kestrel on 127.0.0.1, port 0) for testing the LLM judge: it
// implements POST /v1/chat/completions with OpenAI's request/response and error shapes, judges each pair
// by applying the policy itself, and can be told to rate-limit, stall, fail with 5xx or answer garbage.
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lodestar.Data.Schema;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lodestar.Policy.Tests;

/// <summary>What the server does with the next request instead of answering normally.</summary>
internal abstract record Fault;

internal sealed record RateLimit(string RetryAfter) : Fault;

internal sealed record ServerError(int Status) : Fault;

/// <summary>A 200 whose message content is not the JSON the judge asked for.</summary>
internal sealed record MalformedContent(string Content) : Fault;

/// <summary>A 200 whose body is not even a chat completion.</summary>
internal sealed record MalformedBody : Fault;

internal sealed record Slow(TimeSpan Delay) : Fault;

internal sealed partial class ChatCompletionsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CompiledPolicy<Member, Job> _policy;
    private readonly Dictionary<long, Member> _members;
    private readonly Dictionary<long, Job> _jobs;
    private readonly string? _apiKey;
    private int _inFlight;
    private int _maxInFlight;
    private int _requests;
    private int _answers;

    private ChatCompletionsServer(WebApplication app, CompiledPolicy<Member, Job> policy, IEnumerable<Member> members, IEnumerable<Job> jobs, string? apiKey)
    {
        _app = app;
        _policy = policy;
        _members = members.ToDictionary(m => m.Id);
        _jobs = jobs.ToDictionary(j => j.Id);
        _apiKey = apiKey;
    }

    /// <summary>Faults applied to the next requests, in order; requests beyond them are answered normally.</summary>
    public ConcurrentQueue<Fault> Faults { get; } = new();

    /// <summary>A delay applied to every normal answer (to make concurrency observable).</summary>
    public TimeSpan AnswerDelay { get; set; }

    public Uri BaseUrl { get; private set; } = null!;

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Successful judgements delivered (what a provider would bill).</summary>
    public int Answers => Volatile.Read(ref _answers);

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public static async Task<ChatCompletionsServer> StartAsync(CompiledPolicy<Member, Job> policy, IEnumerable<Member> members, IEnumerable<Job> jobs, string? apiKey = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new ChatCompletionsServer(app, policy, members, jobs, apiKey);
        app.MapPost("/v1/chat/completions", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/v1");
        if (!IPAddress.IsLoopback(IPAddress.Parse(server.BaseUrl.Host)))
        {
            throw new InvalidOperationException("the test server must only listen on loopback");
        }
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while ((seen = Volatile.Read(ref _maxInFlight)) < now && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
        {
        }
        try
        {
            await RespondAsync(context);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task RespondAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        if (_apiKey is not null && context.Request.Headers.Authorization.ToString() != $"Bearer {_apiKey}")
        {
            await ErrorAsync(context, 401, "Incorrect API key provided.", "invalid_request_error", null, "invalid_api_key");
            return;
        }
        JsonObject request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<JsonObject>(context.Request.Body, cancellationToken: aborted)
                ?? throw new JsonException("null body");
        }
        catch (JsonException ex)
        {
            await ErrorAsync(context, 400, $"We could not parse the JSON body of your request. ({ex.Message})", "invalid_request_error", null, null);
            return;
        }
        if (request["model"]?.GetValueKind() != JsonValueKind.String)
        {
            await ErrorAsync(context, 400, "you must provide a model parameter", "invalid_request_error", "model", null);
            return;
        }
        if (request["messages"] is not JsonArray { Count: > 0 } messages
            || messages.Any(m => m?["role"]?.GetValue<string>() is not ("system" or "user" or "assistant" or "developer") || m["content"] is null))
        {
            await ErrorAsync(context, 400, "'messages' must be a non-empty array of {role, content}", "invalid_request_error", "messages", null);
            return;
        }
        var format = request["response_format"]?["type"]?.GetValue<string>();
        if (format is not (null or "text" or "json_object" or "json_schema"))
        {
            await ErrorAsync(context, 400, $"Invalid value: '{format}'. Supported values are: 'json_object', 'json_schema', and 'text'.", "invalid_request_error", "response_format.type", "invalid_value");
            return;
        }
        if (Faults.TryDequeue(out var fault))
        {
            switch (fault)
            {
                case RateLimit limit:
                    context.Response.Headers.RetryAfter = limit.RetryAfter;
                    await ErrorAsync(context, 429, "Rate limit reached for requests. Please try again later.", "requests", null, "rate_limit_exceeded");
                    return;
                case ServerError error:
                    await ErrorAsync(context, error.Status, "The server had an error while processing your request. Sorry about that!", "server_error", null, null);
                    return;
                case MalformedBody:
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync("{\"choices\": [", aborted);
                    return;
                case MalformedContent malformed:
                    await CompletionAsync(context, request, malformed.Content);
                    return;
                case Slow slow:
                    await Task.Delay(slow.Delay, aborted);
                    break;
            }
        }
        var user = messages.Last(m => m!["role"]!.GetValue<string>() == "user")!["content"]!.GetValue<string>();
        var match = PairLine().Match(user);
        if (!match.Success || !_members.TryGetValue(long.Parse(match.Groups[1].Value), out var member) || !_jobs.TryGetValue(long.Parse(match.Groups[2].Value), out var job))
        {
            await ErrorAsync(context, 400, "the prompt names no known member–job pair", "invalid_request_error", "messages", null);
            return;
        }
        if (AnswerDelay > TimeSpan.Zero)
        {
            await Task.Delay(AnswerDelay, aborted);
        }
        var label = _policy.Score(member, job);
        var answer = new JsonObject();
        for (var d = 0; d < label.Scores.Length; d++)
        {
            var dimension = _policy.Document.Dimensions[d];
            answer[dimension.Id] = new JsonObject
            {
                ["score"] = label.Scores[d],
                ["reason"] = $"{dimension.Name}: {dimension.Scale.Levels[label.Scores[d]]}",
            };
        }
        await CompletionAsync(context, request, answer.ToJsonString());
        Interlocked.Increment(ref _answers);
    }

    private static async Task CompletionAsync(HttpContext context, JsonObject request, string content)
    {
        var promptChars = request["messages"]!.AsArray().Sum(m => m!["content"]!.ToString().Length);
        var response = new JsonObject
        {
            ["id"] = "chatcmpl-" + Guid.NewGuid().ToString("N")[..24],
            ["object"] = "chat.completion",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = request["model"]!.GetValue<string>(),
            ["choices"] = new JsonArray
            {
                new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content, ["refusal"] = null },
                    ["logprobs"] = null,
                    ["finish_reason"] = "stop",
                },
            },
            ["usage"] = new JsonObject { ["prompt_tokens"] = promptChars / 4, ["completion_tokens"] = content.Length / 4, ["total_tokens"] = promptChars / 4 + content.Length / 4 },
            ["system_fingerprint"] = "fp_lodestar_test",
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(response.ToJsonString(), context.RequestAborted);
    }

    private static async Task ErrorAsync(HttpContext context, int status, string message, string type, string? param, string? code)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var error = new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code } };
        await context.Response.WriteAsync(error.ToJsonString(), context.RequestAborted);
    }

    [GeneratedRegex(@"Pair: member (\d+), job (\d+)")]
    private static partial Regex PairLine();
}
