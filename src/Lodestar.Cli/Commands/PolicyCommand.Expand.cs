// `lodestar policy expand`: plan pairs (random, near decision boundaries, hard), label them with the
// embedded scorer or an LLM judge behind a progress bar, resume after a kill, write a training set.
using System.CommandLine;
using Lodestar.Core;
using Lodestar.Data.Schema;
using Lodestar.Policy;
using Lodestar.Policy.Labeling;
using Lodestar.Policy.Synthesis;
using Lodestar.Text.Prompts;
using Lodestar.Text.Tokenization;

namespace Lodestar.Cli;

public static partial class PolicyCommand
{
    private static Command Expand()
    {
        var world = WorldOption();
        var output = new Option<FileInfo>("--out") { Description = "Training set JSONL to write (a .manifest.json is written beside it).", Required = true };
        var pairs = new Option<int>("--pairs") { Description = "Distinct pairs to plan and label.", DefaultValueFactory = _ => new SamplerConfig().Pairs };
        var seed = new Option<int>("--seed") { Description = "Seed of the pair plan (the same seed plans the same pairs).", DefaultValueFactory = _ => new SamplerConfig().Seed };
        var exclude = new Option<FileInfo?>("--exclude") { Description = "A golden set whose pairs must not enter the training set." };
        var labelerName = new Option<string>("--labeler") { Description = "scorer (the embedded policy scorer) or llm (an OpenAI-compatible judge).", DefaultValueFactory = _ => "scorer" };
        var baseUrl = new Option<string?>("--base-url") { Description = "LLM judge: API base URL, e.g. https://api.openai.com/v1." };
        var model = new Option<string?>("--model") { Description = "LLM judge: model name." };
        var keyVariable = new Option<string>("--api-key-env") { Description = "LLM judge: environment variable holding the API key.", DefaultValueFactory = _ => "OPENAI_API_KEY" };
        var cache = new Option<FileInfo?>("--cache") { Description = "LLM judge: SQLite answer cache (default: OUT.judge-cache.db)." };
        var tokenizer = new Option<FileInfo?>("--tokenizer") { Description = "LLM judge: tokenizer.json used to render the pair prompt within its token budget." };
        var concurrency = new Option<int>("--concurrency") { Description = "Labels in flight at once.", DefaultValueFactory = _ => 4 };
        var timeout = new Option<double>("--timeout-seconds") { Description = "LLM judge: time allowed per request.", DefaultValueFactory = _ => 60 };
        var retries = new Option<int>("--max-retries") { Description = "LLM judge: retries on 429, 5xx, timeouts and malformed answers.", DefaultValueFactory = _ => 6 };
        var policy = PolicyOption();
        var force = CliOptions.Force();
        var json = CliJson.CreateOption();
        var command = new Command("expand", "Sample many more pairs (random, near decision boundaries, hard), label them, and write a training set with provenance; resumes after a kill.");
        foreach (var option in new Option[] { world, output, pairs, seed, exclude, labelerName, baseUrl, model, keyVariable, cache, tokenizer, concurrency, timeout, retries, policy, force, json })
        {
            command.Options.Add(option);
        }
        command.SetAction(async (parse, cancellationToken) =>
        {
            var outPath = parse.GetValue(output)!.FullName;
            // Two runs on one --out would append to one checkpoint and write one training set at once.
            using var owner = OutputLock.Acquire(outPath);
            var checkpoint = outPath + ".partial.jsonl";
            // A checkpoint means a run of this command stopped before writing --out: it is resumed, not refused.
            if (!File.Exists(checkpoint))
            {
                ExistingOutput.RefuseUnlessReplacing(outPath, parse.GetValue(force), "a training set");
            }
            var compiled = LoadPolicy(parse.GetValue(policy)!);
            var directory = parse.GetValue(world)!;
            var snapshot = LoadWorld(directory);
            var excluded = parse.GetValue(exclude) is { } golden ? LabelFile.Read(golden.FullName, compiled.Document).Select(l => l.Pair).ToHashSet() : null;
            var samplerConfig = new SamplerConfig { Pairs = parse.GetValue(pairs), Seed = parse.GetValue(seed) };
            var members = snapshot.Members.Values.OrderBy(m => m.Id).ToList();
            var jobs = snapshot.Jobs.Values.OrderBy(j => j.Id).ToList();
            var plan = PairSampler.Plan(members, jobs, compiled, samplerConfig, excluded);
            using var labeler = CreateLabeler(parse.GetValue(labelerName)!, compiled, snapshot, new LlmSettings(
                parse.GetValue(baseUrl), parse.GetValue(model), parse.GetValue(keyVariable)!, parse.GetValue(cache)?.FullName ?? outPath + ".judge-cache.db",
                parse.GetValue(tokenizer), parse.GetValue(concurrency), parse.GetValue(timeout), parse.GetValue(retries)));
            var asJson = parse.GetValue(json);
            var report = WithProgress(progress =>
                Expander.RunAsync(plan, labeler.Labeler, compiled.Document.VersionKey, checkpoint, parse.GetValue(concurrency), checkpointEvery: 64, progress, cancellationToken)
                    .GetAwaiter().GetResult());
            var manifest = TrainingSet.Write(outPath, plan, Expander.ReadCheckpoint(checkpoint), compiled.Document.VersionKey, labeler.Labeler.Name, samplerConfig, directory.FullName);
            File.Delete(checkpoint);
            var summary = new
            {
                @out = outPath,
                planned = report.Planned,
                labeled_now = report.Labeled,
                resumed = report.Resumed,
                pairs = manifest.Pairs,
                strategies = manifest.Strategies,
                labeler = manifest.Labeler,
                policy_version = manifest.PolicyVersion,
                seconds = report.Seconds,
                llm_requests = labeler.Judge?.Requests,
                llm_cache_hits = labeler.Judge?.CacheHits,
                llm_retries = labeler.Judge?.Retries,
            };
            if (asJson)
            {
                CliJson.WriteLine(summary);
            }
            else
            {
                Console.Out.WriteLine($"wrote {manifest.Pairs} labeled pairs to {outPath} ({report.Labeled} labeled now, {report.Resumed} resumed; {string.Join(", ", manifest.Strategies.Select(s => $"{s.Key} {s.Value}"))})");
            }
            return 0;
        });
        return command;
    }

    private sealed record LlmSettings(string? BaseUrl, string? Model, string KeyVariable, string CachePath, FileInfo? Tokenizer, int Concurrency, double TimeoutSeconds, int MaxRetries);

    /// <summary>The chosen labeler, and the judge behind it when it is an LLM (for its request counters).</summary>
    private sealed record ChosenLabeler(IPairLabeler Labeler, LlmJudge? Judge) : IDisposable
    {
        public void Dispose() => Judge?.Dispose();
    }

    private static ChosenLabeler CreateLabeler(string name, CompiledPolicy<Member, Job> policy, WorldSnapshot world, LlmSettings llm)
    {
        switch (name)
        {
            case "scorer":
                return new ChosenLabeler(new PolicyScorerLabeler(policy), null);
            case "llm":
                var baseUrl = Uri.TryCreate(llm.BaseUrl ?? throw new ArgumentException("--labeler llm needs --base-url"), UriKind.Absolute, out var url)
                    ? url
                    : throw new ArgumentException($"--base-url '{llm.BaseUrl}' is not an absolute URL (e.g. https://api.openai.com/v1)");
                var model = llm.Model ?? throw new ArgumentException("--labeler llm needs --model");
                var tokenizerFile = llm.Tokenizer ?? throw new ArgumentException("--labeler llm needs --tokenizer (the pair prompt is rendered within its token budget)");
                var render = PairRenderer(world, TokenizerJson.Load(tokenizerFile.FullName));
                var judge = new LlmJudge(new LlmJudgeOptions
                {
                    BaseUrl = baseUrl,
                    Model = model,
                    ApiKeyVariable = llm.KeyVariable,
                    CachePath = llm.CachePath,
                    MaxConcurrency = llm.Concurrency,
                    RequestTimeout = TimeSpan.FromSeconds(llm.TimeoutSeconds),
                    MaxRetries = llm.MaxRetries,
                }, policy, render);
                return new ChosenLabeler(judge, judge);
            default:
                throw new ArgumentException($"--labeler '{name}' is not one of: scorer, llm");
        }
    }

    /// <summary>The prompt library's pair template, rendered for the judge (serialised: the renderer is not shared across threads).</summary>
    private static Func<MatchPair, string> PairRenderer(WorldSnapshot world, BpeTokenizer tokenizer)
    {
        var entry = PromptLibrary.LoadBuiltIn().Get("pair");
        if (entry.Percentiles is null && entry.Template.Fields.Any(f => f.Format == FieldFormat.Percentile))
        {
            entry = entry with { Percentiles = PercentileFitter.Fit(entry.Template, world, world.Directory) };
        }
        var renderer = new PromptRenderer(tokenizer, world.LastDay);
        var gate = new Lock();
        return pair =>
        {
            lock (gate)
            {
                return renderer.Render(entry, PromptSubjects.ForPair(world, pair.Member.Id, pair.Job.Id)).Text;
            }
        };
    }
}
