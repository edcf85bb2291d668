// A labeler that asks an LLM behind any OpenAI-compatible chat-completions endpoint to apply the policy,
// validates the JSON answer against the policy's scales, retries transient failures with backoff and
// jitter, bounds concurrency, and caches every validated answer in SQLite.
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lodestar.Data.Schema;

namespace Lodestar.Policy.Labeling;

/// <summary>The judge failed for good (retries exhausted, or a non-retryable error such as 401 or 400).</summary>
public sealed class LlmJudgeException(string message, Exception? inner = null) : Exception(message, inner);

public sealed class LlmJudge : IPairLabeler, IDisposable
{
    private readonly LlmJudgeOptions _options;
    private readonly CompiledPolicy<Member, Job> _policy;
    private readonly Func<MatchPair, string> _render;
    private readonly HttpClient _http;
    private readonly JudgeCache _cache;
    private readonly SemaphoreSlim _slots;
    private readonly string _systemPrompt;
    private readonly Random _jitter;
    private readonly Lock _jitterGate = new();
    private long _requests;
    private long _retries;
    private long _cacheHits;

    /// <param name="render">Turns a pair into the text the judge reads (the prompt library's pair template).</param>
    public LlmJudge(LlmJudgeOptions options, CompiledPolicy<Member, Job> policy, Func<MatchPair, string> render, HttpMessageHandler? handler = null)
    {
        options.Validate();
        _options = options;
        _policy = policy;
        _render = render;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = Timeout.InfiniteTimeSpan;
        var key = Environment.GetEnvironmentVariable(options.ApiKeyVariable);
        if (!string.IsNullOrEmpty(key))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        _cache = new JudgeCache(options.CachePath);
        _slots = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
        _systemPrompt = JudgePrompt.System(policy.Document);
        _jitter = new Random(options.Seed);
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
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (content, scores) = await AskWithRetriesAsync(user, cancellationToken).ConfigureAwait(false);
            _cache.Put(version, cacheKey, _options.Model, content);
            return ToLabel(pair, scores);
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _cache.Dispose();
        _slots.Dispose();
    }

    private LabeledPair ToLabel(MatchPair pair, (int[] Scores, string Note) answer)
    {
        var overall = _policy.Overall(answer.Scores.Select(s => (double)s).ToArray());
        return new LabeledPair(pair.Key, PolicyScorerLabeler.ToDictionary(_policy.Document, answer.Scores), overall, Name, answer.Note);
    }

    private async Task<(string Content, (int[] Scores, string Note) Answer)> AskWithRetriesAsync(string user, CancellationToken cancellationToken)
    {
        var body = RequestBody(user);
        for (var attempt = 0; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            string failure;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            try
            {
                Interlocked.Increment(ref _requests);
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_options.BaseUrl.ToString().TrimEnd('/') + "/chat/completions"))
                {
                    Content = new StringContent(body, Encoding.UTF8, "application/json"),
                };
                using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    try
                    {
                        var content = MessageContent(text);
                        return (content, ParseAnswer(content));
                    }
                    catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
                    {
                        failure = $"malformed answer: {ex.Message}";
                    }
                }
                else if (response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
                {
                    failure = $"HTTP {(int)response.StatusCode}: {ErrorMessage(text)}";
                    retryAfter = RetryAfter(response);
                }
                else
                {
                    throw new LlmJudgeException($"{_options.BaseUrl} answered HTTP {(int)response.StatusCode}: {ErrorMessage(text)}");
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = $"no answer within {_options.RequestTimeout.TotalSeconds:0.###} s";
            }
            catch (HttpRequestException ex)
            {
                failure = $"network error: {ex.Message}";
            }
            if (attempt >= _options.MaxRetries)
            {
                throw new LlmJudgeException($"{_options.BaseUrl}: giving up after {attempt + 1} attempts; last failure: {failure}");
            }
            Interlocked.Increment(ref _retries);
            await Task.Delay(Backoff(attempt, retryAfter), cancellationToken).ConfigureAwait(false);
        }
    }

    private string RequestBody(string user)
    {
        var request = new JsonObject
        {
            ["model"] = _options.Model,
            ["messages"] = new JsonArray
            {
                new JsonObject { ["role"] = "system", ["content"] = _systemPrompt },
                new JsonObject { ["role"] = "user", ["content"] = user },
            },
            ["response_format"] = new JsonObject { ["type"] = "json_object" },
            ["temperature"] = _options.Temperature,
            ["seed"] = _options.Seed,
        };
        return request.ToJsonString();
    }

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

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
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
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }
        return null;
    }

    private static string MessageContent(string responseJson)
    {
        var root = JsonNode.Parse(responseJson) ?? throw new FormatException("empty response");
        var choices = root["choices"] as JsonArray ?? throw new FormatException("response has no 'choices'");
        if (choices.Count == 0)
        {
            throw new FormatException("response has no choices");
        }
        return choices[0]?["message"]?["content"]?.GetValue<string>() ?? throw new FormatException("choices[0].message.content is missing");
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

    private static string ErrorMessage(string body)
    {
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
