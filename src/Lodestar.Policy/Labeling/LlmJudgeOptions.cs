// Settings of the LLM judge: which OpenAI-compatible endpoint and model, where the key comes from, and
// how hard to try (concurrency, timeouts, retries with exponential backoff and jitter).
using Lodestar.Core;
namespace Lodestar.Policy.Labeling;

public sealed record LlmJudgeOptions
{
    /// <summary>Base URL of an OpenAI-compatible API, ending before "/chat/completions" (e.g. https://api.openai.com/v1).</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>Model name sent in every request and part of the cache key.</summary>
    public required string Model { get; init; }

    /// <summary>Environment variable holding the API key (never the key itself, so it stays out of logs and configs); unset = no Authorization header.</summary>
    public string ApiKeyVariable { get; init; } = "OPENAI_API_KEY";

    /// <summary>SQLite file caching every validated answer by (policy version, pair, model).</summary>
    public required string CachePath { get; init; }

    /// <summary>Requests in flight at once (a SemaphoreSlim); providers rate-limit per key.</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Time allowed for one HTTP attempt before it counts as failed and is retried.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries after the first attempt on 429, 5xx, timeouts, network errors and malformed answers.</summary>
    public int MaxRetries { get; init; } = 6;

    /// <summary>Backoff before retry n is uniform in [0.5, 1] × InitialBackoff × 2^n, capped at MaxBackoff; a Retry-After header wins when longer.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Sampling temperature; 0 for the most repeatable judgements.</summary>
    public double Temperature { get; init; }

    /// <summary>Seeds the backoff jitter (and is sent as the request's seed) so runs are repeatable.</summary>
    public int Seed { get; init; } = 1234;

    public void Validate()
    {
        this.Require(BaseUrl.IsAbsoluteUri && (BaseUrl.Scheme == Uri.UriSchemeHttp || BaseUrl.Scheme == Uri.UriSchemeHttps), BaseUrl, "must be an absolute http(s) URL");
        this.Require(!string.IsNullOrWhiteSpace(Model), Model, "must not be empty");
        this.Require(!string.IsNullOrWhiteSpace(CachePath), CachePath, "must not be empty");
        this.Require(MaxConcurrency is >= 1 and <= 256, MaxConcurrency, "must be in [1, 256]");
        this.Require(RequestTimeout > TimeSpan.Zero, RequestTimeout, "must be positive");
        this.Require(MaxRetries is >= 0 and <= 50, MaxRetries, "must be in [0, 50]");
        this.Require(InitialBackoff >= TimeSpan.Zero, InitialBackoff, "must not be negative");
        this.Require(MaxBackoff >= InitialBackoff, MaxBackoff, $"must be at least InitialBackoff ({InitialBackoff})");
        this.Require(Temperature is >= 0 and <= 2, Temperature, "must be in [0, 2]");
    }
}
