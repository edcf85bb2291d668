// A labeler that asks an LLM behind any OpenAI-compatible chat-completions endpoint to apply the policy, through
// Microsoft.Extensions.AI's IChatClient (the OpenAI SDK's client, its own retries off). Retries with exponential
// backoff, jitter and Retry-After, the per-attempt timeout and the concurrency bound are a Microsoft.Extensions.Http
// .Resilience pipeline under the SDK's HTTP transport; an answer that is not valid JSON for the policy's scales is asked
// again from the same budget of attempts. Every validated answer is cached in SQLite.
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lodestar.Data.Schema;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Http.Resilience;
using OpenAI;
using Polly;
using Polly.Timeout;

namespace Lodestar.Policy.Labeling;

/// <summary>The judge failed for good (retries exhausted, or a non-retryable error such as 401 or 400).</summary>
public sealed class LlmJudgeException(string message, Exception? inner = null) : Exception(message, inner);

public sealed class LlmJudge : IPairLabeler, IDisposable
{
    private readonly LlmJudgeOptions _options;
    private readonly CompiledPolicy<Member, Job> _policy;
    private readonly Func<MatchPair, string> _render;
    private readonly HttpClient _http;
    private readonly IChatClient _chat;
    private readonly ChatOptions _chatOptions;
    private readonly JudgeCache _cache;
    private readonly string _systemPrompt;
    private readonly Random _jitter;
    private readonly Lock _jitterGate = new();

    // The attempts of the label being asked for, shared by the HTTP layer's retries and the asks again for a bad answer.
    private readonly AsyncLocal<StrongBox<int>?> _attempts = new();
    private long _requests;
    private long _retries;
    private long _cacheHits;

    /// <param name="render">Turns a pair into the text the judge reads (the prompt library's pair template).</param>
    /// <param name="handler">The innermost HTTP handler (tests; default: a SocketsHttpHandler).</param>
    public LlmJudge(LlmJudgeOptions options, CompiledPolicy<Member, Job> policy, Func<MatchPair, string> render, HttpMessageHandler? handler = null)
    {
        options.Validate();
        _options = options;
        _policy = policy;
        _render = render;
        _jitter = new Random(options.Seed);
        var key = Environment.GetEnvironmentVariable(options.ApiKeyVariable);
        var resilience = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddConcurrencyLimiter(options.MaxConcurrency, queueLimit: int.MaxValue)
            .AddRetry(new HttpRetryStrategyOptions
            {
                // One budget for the whole label: an HTTP retry is allowed while the label's attempts leave room.
                ShouldHandle = arguments => ValueTask.FromResult(AttemptsLeft() && HttpClientResiliencePredicates.IsTransient(arguments.Outcome)),
                MaxRetryAttempts = Math.Max(1, options.MaxRetries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                Delay = options.InitialBackoff,
                MaxDelay = options.MaxBackoff,
                ShouldRetryAfterHeader = true,
                DelayGenerator = arguments => ValueTask.FromResult<TimeSpan?>(Backoff(arguments.AttemptNumber, RetryAfter(arguments.Outcome.Result))),
                OnRetry = _ =>
                {
                    Interlocked.Increment(ref _retries);
                    return default;
                },
            })
            .AddTimeout(options.RequestTimeout)
            .Build();
        _http = new HttpClient(new ResilienceHandler(resilience) { InnerHandler = new AttemptCounter(this, hasKey: !string.IsNullOrEmpty(key)) { InnerHandler = handler ?? new SocketsHttpHandler() } })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var client = new OpenAIClient(new ApiKeyCredential(string.IsNullOrEmpty(key) ? "none" : key), new OpenAIClientOptions
        {
            Endpoint = options.BaseUrl,
            Transport = new HttpClientPipelineTransport(_http),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = Timeout.InfiniteTimeSpan,
        });
        _chat = client.GetChatClient(options.Model).AsIChatClient();
        _chatOptions = new ChatOptions
        {
            ModelId = options.Model,
            Temperature = (float)options.Temperature,
            Seed = options.Seed,
            ResponseFormat = ChatResponseFormat.Json,
        };
        _cache = new JudgeCache(options.CachePath);
        _systemPrompt = JudgePrompt.System(policy.Document);
    }

    public string Name => $"llm:{_options.Model}";

    /// <summary>HTTP requests sent (including retries).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    public long Retries => Interlocked.Read(ref _retries);

    public long CacheHits => Interlocked.Read(ref _cacheHits);

    public async Task<LabeledPair> LabelAsync(MatchPair pair, CancellationToken cancellationToken)
    {
        var rendered = _render(pair);
        var user = JudgePrompt.User(pair, rendered);
        var cacheKey = $"{pair.Key}#{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(user)))[..16]}";
        var version = _policy.Document.VersionKey;
        if (_cache.Get(version, cacheKey, _options.Model) is { } cached)
        {
            Interlocked.Increment(ref _cacheHits);
            return ToLabel(pair, ParseAnswer(cached));
        }
        var (content, scores) = await AskAsync(user, cancellationToken).ConfigureAwait(false);
        _cache.Put(version, cacheKey, _options.Model, content);
        return ToLabel(pair, scores);
    }

    public void Dispose()
    {
        _chat.Dispose();
        _http.Dispose();
        _cache.Dispose();
    }

    private LabeledPair ToLabel(MatchPair pair, (int[] Scores, string Note) answer)
    {
        var overall = _policy.Overall(answer.Scores.Select(s => (double)s).ToArray());
        return new LabeledPair(pair.Key, PolicyScorerLabeler.ToDictionary(_policy.Document, answer.Scores), overall, Name, answer.Note);
    }

    private bool AttemptsLeft() => (_attempts.Value?.Value ?? 0) <= _options.MaxRetries;

    private async Task<(string Content, (int[] Scores, string Note) Answer)> AskAsync(string user, CancellationToken cancellationToken)
    {
        var attempts = _attempts.Value = new StrongBox<int>();
        List<ChatMessage> messages = [new(ChatRole.System, _systemPrompt), new(ChatRole.User, user)];
        while (true)
        {
            string failure;
            try
            {
                var response = await _chat.GetResponseAsync(messages, _chatOptions, cancellationToken).ConfigureAwait(false);
                var content = response.Text;
                try
                {
                    return (content, ParseAnswer(content));
                }
                catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
                {
                    failure = $"malformed answer: {ex.Message}";
                }
            }
            catch (ClientResultException ex) when (ex.Status != 0 && ex.Status != (int)HttpStatusCode.TooManyRequests && ex.Status < 500)
            {
                throw new LlmJudgeException($"{_options.BaseUrl} answered HTTP {ex.Status}: {ErrorMessage(ex)}", ex);
            }
            catch (ClientResultException ex) when (ex.Status != 0)
            {
                throw GiveUp(attempts.Value, $"HTTP {ex.Status}: {ErrorMessage(ex)}", ex);
            }
            catch (TimeoutRejectedException ex)
            {
                throw GiveUp(attempts.Value, $"no answer within {_options.RequestTimeout.TotalSeconds:0.###} s", ex);
            }
            catch (Exception ex) when (ex is HttpRequestException or ClientResultException)
            {
                throw GiveUp(attempts.Value, $"network error: {ex.Message}", ex);
            }
            catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or ArgumentException)
            {
                // The response was not a chat completion at all (the SDK could not read it).
                failure = $"malformed answer: {ex.Message}";
            }
            if (!AttemptsLeft())
            {
                throw GiveUp(attempts.Value, failure, null);
            }
            Interlocked.Increment(ref _retries);
            await Task.Delay(Backoff(attempts.Value - 1, null), cancellationToken).ConfigureAwait(false);
        }
    }

    private LlmJudgeException GiveUp(int attempts, string failure, Exception? inner) =>
        new($"{_options.BaseUrl}: giving up after {attempts} attempts; last failure: {failure}", inner);

    private TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        double unit;
        lock (_jitterGate)
        {
            unit = 0.5 + 0.5 * _jitter.NextDouble();
        }
        var exponential = Math.Min(_options.MaxBackoff.TotalSeconds, _options.InitialBackoff.TotalSeconds * Math.Pow(2, attempt));
        var delay = TimeSpan.FromSeconds(unit * exponential);
        return retryAfter is { } wait && wait > delay ? (wait > _options.MaxBackoff ? _options.MaxBackoff : wait) : delay;
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response is null)
        {
            return null;
        }
        if (response.Headers.RetryAfter is { } header)
        {
            if (header.Delta is { } delta)
            {
                return delta;
            }
            if (header.Date is { } date)
            {
                var wait = date - DateTimeOffset.UtcNow;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }
        // Some providers send fractional seconds, which the typed header rejects.
        if (response.Headers.TryGetValues("retry-after", out var values)
            && double.TryParse(values.FirstOrDefault(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }
        return null;
    }

    /// <summary>Counts every HTTP attempt (in all and for the label being asked for) and sends no Authorization header when no key is set.</summary>
    private sealed class AttemptCounter(LlmJudge judge, bool hasKey) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref judge._requests);
            if (judge._attempts.Value is { } attempts)
            {
                Interlocked.Increment(ref attempts.Value);
            }
            if (!hasKey)
            {
                request.Headers.Authorization = null;
            }
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Validates an answer: every dimension present, each score an integer within its scale.</summary>
    private (int[] Scores, string Note) ParseAnswer(string content)
    {
        var answer = JsonNode.Parse(content) as JsonObject ?? throw new FormatException("the answer is not a JSON object");
        var document = _policy.Document;
        var scores = new int[document.Dimensions.Count];
        var reasons = new List<string>();
        for (var d = 0; d < scores.Length; d++)
        {
            var dimension = document.Dimensions[d];
            var node = answer[dimension.Id] ?? throw new FormatException($"the answer has no '{dimension.Id}'");
            var scoreNode = node is JsonObject o ? o["score"] ?? throw new FormatException($"'{dimension.Id}' has no 'score'") : node;
            if (scoreNode is not JsonValue value || !value.TryGetValue<double>(out var number) || number != Math.Floor(number))
            {
                throw new FormatException($"'{dimension.Id}'.score is not an integer: {scoreNode.ToJsonString()}");
            }
            if (number < dimension.Scale.Min || number > dimension.Scale.Max)
            {
                throw new FormatException($"'{dimension.Id}'.score {number} is outside {dimension.Scale.Describe()}");
            }
            scores[d] = (int)number;
            if (node is JsonObject withReason && withReason["reason"] is JsonValue reason && reason.TryGetValue<string>(out var text))
            {
                reasons.Add($"{dimension.Id}: {text}");
            }
        }
        return (scores, string.Join("; ", reasons));
    }

    private static string ErrorMessage(ClientResultException error)
    {
        var body = error.GetRawResponse()?.Content?.ToString() ?? error.Message;
        try
        {
            return JsonNode.Parse(body)?["error"]?["message"]?.GetValue<string>() ?? Truncate(body);
        }
        catch (JsonException)
        {
            return Truncate(body);
        }
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
