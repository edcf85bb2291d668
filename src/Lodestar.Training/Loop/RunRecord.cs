// The record of one training run of any task (run.json in its run directory): the task, the resolved
// config, where the data came from, validation metrics per epoch, the best epoch, test metrics and wall
// time. The training loop rewrites it atomically after every validation, so a killed run leaves a true one.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lodestar.Core;

namespace Lodestar.Training.Loop;

/// <summary>One validated epoch: mean training loss (null for models fitted in one pass) and validation metrics by name.</summary>
public sealed record EpochRecord(int Epoch, double? TrainLoss, IReadOnlyDictionary<string, double> Validation, double Seconds);

/// <summary>A file or directory a run read, with its content hash (and size in bytes when it is one file).</summary>
/// <param name="Role">What it was to the run: "sequences", "world", "policy-teacher", ...</param>
public sealed record RunInput(string Role, string Path, string Sha256, long? Bytes = null)
{
    /// <summary>The file at <paramref name="path"/> with its SHA-256 and size.</summary>
    public static RunInput OfFile(string role, string path)
    {
        using var stream = File.OpenRead(path);
        return new RunInput(role, path, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream)), stream.Length);
    }
}

/// <summary>Where a run's data came from and how much of it there was ("users", "train_examples", ...).</summary>
public sealed record RunData(IReadOnlyList<RunInput> Inputs, IReadOnlyDictionary<string, long> Counts)
{
    /// <summary>The input of <paramref name="role"/>; throws naming the roles there are when it is absent.</summary>
    public RunInput Input(string role) => Inputs.FirstOrDefault(i => i.Role == role)
        ?? throw new InvalidDataException($"the run record names no '{role}' input (it has {string.Join(", ", Inputs.Select(i => i.Role))})");
}

/// <summary>The metric that picks the best epoch and stops training early, and which way is better.</summary>
public sealed record SelectionMetric(string Name, bool HigherIsBetter)
{
    /// <summary>True when <paramref name="value"/> beats <paramref name="best"/> (strictly: a tie keeps the earlier epoch).</summary>
    public bool Improves(double value, double best) => HigherIsBetter ? value > best : value < best;

    /// <summary>The value every first validation beats.</summary>
    public double Worst => HigherIsBetter ? double.NegativeInfinity : double.PositiveInfinity;
}

public static class RunStatus
{
    public const string Running = "running";

    /// <summary>Stopped on request before the end (a resumable checkpoint is there).</summary>
    public const string Interrupted = "interrupted";

    public const string Finished = "finished";
}

public static class StopReason
{
    public const string Epochs = "epochs";

    public const string Patience = "patience";

    public const string TimeBudget = "time_budget";

    /// <summary>Models fitted in one pass.</summary>
    public const string Fitted = "fitted";
}

public sealed record RunRecord<TConfig>
{
    public const string FileName = RunFiles.Record;

    /// <summary>The task and model, e.g. "seqrec.sasrec" or "job-matching.student".</summary>
    public required string Task { get; init; }

    /// <summary><see cref="RunStatus"/>: running, interrupted or finished.</summary>
    public required string Status { get; init; }

    /// <summary>Why a finished run stopped (<see cref="Loop.StopReason"/>); null before.</summary>
    public string? StopReason { get; init; }

    public required TConfig Config { get; init; }

    public required RunData Data { get; init; }

    public long Parameters { get; init; }

    public required SelectionMetric Selection { get; init; }

    public IReadOnlyList<EpochRecord> Epochs { get; init; } = [];

    /// <summary>1-based epoch with the best selection metric (0 before the first validation).</summary>
    public int BestEpoch { get; init; }

    public IReadOnlyDictionary<string, double>? BestValidation { get; init; }

    /// <summary>Test metrics of the best epoch's model, once finished.</summary>
    public IReadOnlyDictionary<string, double>? Test { get; init; }

    /// <summary>Seconds from the start of the run to the end of the best epoch's validation.</summary>
    public double SecondsToBestEpoch { get; init; }

    public double WallSeconds { get; init; }

    /// <summary>The best model's checkpoint, relative to the run directory (null for models refitted on load).</summary>
    public string? Checkpoint { get; init; }

    /// <summary>One line: task, status, parameters, best epoch and its selection metric, wall time.</summary>
    public string Describe() =>
        $"{Task}: {Status}{(StopReason is { } why ? $" ({why})" : "")}, {Parameters.ToString("N0", CultureInfo.InvariantCulture)} parameters, best epoch {BestEpoch} " +
        $"(validation {Selection.Name} {(BestValidation is { } v ? v[Selection.Name] : double.NaN).ToString("F4", CultureInfo.InvariantCulture)}), " +
        $"{WallSeconds.ToString("F1", CultureInfo.InvariantCulture)} s";

    /// <summary>Writes run.json into <paramref name="runDirectory"/> atomically, and the run's report.html (RunReport, with the task's <paramref name="sections"/>) beside it.</summary>
    public void Write(string runDirectory, ReportSections? sections = null)
    {
        AtomicFile.WriteAllBytes(Path.Combine(runDirectory, FileName), JsonSerializer.SerializeToUtf8Bytes(this, RunJson.Options));
        RunReport.Write(runDirectory, this, sections);
    }

    public static RunRecord<TConfig> Read(string runDirectory)
    {
        var path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no run record (is {runDirectory} a run directory made by a `lodestar ... train` command?)", path);
        }
        try
        {
            return JsonSerializer.Deserialize<RunRecord<TConfig>>(File.ReadAllText(path), RunJson.Options)
                ?? throw new ArgumentException($"{path}: the run record is null");
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"{path}: line {(ex.LineNumber ?? 0) + 1}, field {ex.Path}: {ex.Message.Split(" Path:")[0]}", ex);
        }
    }

    /// <summary>True when run.json of <paramref name="runDirectory"/> exists.</summary>
    public static bool Exists(string runDirectory) => File.Exists(Path.Combine(runDirectory, FileName));
}

/// <summary>How run records, task configs and training states are written: snake_case keys, enums as snake_case
/// strings, infinities by name, unknown fields refused.</summary>
public static class RunJson
{
    /// <summary>
    /// The task a run directory's record names, refused naming the record unless <paramref name="wanted"/> is it or, ending
    /// in '*', begins it (`job-matching.*`).
    /// </summary>
    public static string RequireTask(string runDirectory, string wanted)
    {
        var task = ReadTask(runDirectory);
        var accepted = wanted.EndsWith('*') ? task.StartsWith(wanted[..^1], StringComparison.Ordinal) : task == wanted;
        return accepted ? task : throw new ArgumentException($"{Path.Combine(runDirectory, RunFiles.Record)}: a {task} run; a {wanted} run is needed");
    }

    /// <summary>The task a run directory's record names (`feed.ranker`, `job-matching.student`), read before its config's type is known.</summary>
    public static string ReadTask(string runDirectory)
    {
        var path = Path.Combine(runDirectory, RunFiles.Record);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no run record (is {runDirectory} a run directory made by a `lodestar ... train` command?)", path);
        }
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))?["task"]?.GetValue<string>()
                ?? throw new ArgumentException($"{path}: field task: missing");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new ArgumentException($"{path}: field task: {ex.Message}", ex);
        }
    }

    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    /// <summary>
    /// Reads a config file of <typeparamref name="TConfig"/> (snake_case keys, absent keys keep their defaults, unknown
    /// keys refused) and validates it; every error is an InvalidDataException naming the file, and the line and field.
    /// </summary>
    public static TConfig ReadConfig<TConfig>(string path, Action<TConfig> validate)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: config file not found", path);
        }
        try
        {
            var config = JsonSerializer.Deserialize<TConfig>(File.ReadAllText(path), Options) ?? throw new InvalidDataException($"{path}: the config is null");
            validate(config);
            return config;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: line {(ex.LineNumber ?? 0) + 1}, field {ex.Path}: {ex.Message.Split(" Path:")[0]}", ex);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>Equal configs serialise to equal bytes (records holding lists do not compare by value).</summary>
    public static bool SameConfig<TConfig>(TConfig a, TConfig b) =>
        JsonSerializer.SerializeToUtf8Bytes(a, Options).AsSpan().SequenceEqual(JsonSerializer.SerializeToUtf8Bytes(b, Options));
}
