// Labels a planned set of pairs with any labeler, appending each label to a checkpoint file (JSONL,
// fsync'd every few labels) so a killed run resumes where it stopped and never labels a pair twice.
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Lodestar.Core.Progress;
using Lodestar.Data.Storage;
using Lodestar.Policy.Labeling;

namespace Lodestar.Policy.Synthesis;

/// <param name="Labeled">Pairs labeled by this run.</param>
/// <param name="Resumed">Pairs found already labeled in the checkpoint.</param>
public sealed record ExpandReport(int Planned, int Labeled, int Resumed, double Seconds);

public static class Expander
{
    /// <summary>
    /// Labels every planned pair not yet in <paramref name="checkpointPath"/>. Cancelling stops handing out
    /// new pairs, lets the labels in flight finish and reach the file, then throws OperationCanceledException.
    /// A labeler or write that fails stops it the same way, then the first failure is thrown: the labels
    /// written before it stay in the checkpoint for the next run.
    /// </summary>
    public static async Task<ExpandReport> RunAsync(
        IReadOnlyList<SampledPair> plan,
        IPairLabeler labeler,
        string policyVersion,
        string checkpointPath,
        int concurrency,
        int checkpointEvery,
        IProgressReporter? progress,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(checkpointEvery, 1);
        var started = System.Diagnostics.Stopwatch.StartNew();
        // Only labels by this labeler under this exact policy count as done; a checkpoint left by another
        // policy version or labeler is relabeled rather than silently mixed in.
        var done = ReadCheckpoint(checkpointPath).Where(l => l.PolicyVersion == policyVersion && l.Annotator == labeler.Name).Select(l => l.Pair).ToHashSet();
        var resumed = plan.Count(p => done.Contains(p.Pair.Key));
        var remaining = plan.Where(p => !done.Contains(p.Pair.Key)).ToList();
        progress?.Start($"labeling with {labeler.Name}", plan.Count);
        progress?.Report(resumed);

        await using var file = new FileStream(checkpointPath, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16);
        var writeGate = new SemaphoreSlim(1, 1);
        var labeled = 0;
        var sinceFlush = 0;
        var queue = Channel.CreateBounded<SampledPair>(new BoundedChannelOptions(concurrency) { SingleWriter = true });
        // Cancelled by the caller or by the first failure: either way no new pair is handed out, and the producer never
        // waits on a full queue that failed workers no longer read.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? failure = null;
        var producer = Task.Run(async () =>
        {
            try
            {
                foreach (var item in remaining)
                {
                    await queue.Writer.WriteAsync(item, stop.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // Stop handing out pairs; the workers finish what they hold.
            }
            finally
            {
                queue.Writer.Complete();
            }
        }, CancellationToken.None);
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            await foreach (var item in queue.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                if (stop.IsCancellationRequested)
                {
                    continue;
                }
                try
                {
                    var label = await labeler.LabelAsync(item.Pair, CancellationToken.None).ConfigureAwait(false);
                    label = label with { PolicyVersion = policyVersion, Sample = item.Strategy, LabeledAt = DateTime.UtcNow.ToString("O") };
                    var bytes = Encoding.UTF8.GetBytes(LabelFile.ToJson(label) + "\n");
                    await writeGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                    try
                    {
                        await file.WriteAsync(bytes, CancellationToken.None).ConfigureAwait(false);
                        labeled++;
                        if (++sinceFlush >= checkpointEvery)
                        {
                            file.Flush(flushToDisk: true);
                            sinceFlush = 0;
                        }
                        progress?.Report(resumed + labeled);
                    }
                    finally
                    {
                        writeGate.Release();
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Interlocked.CompareExchange(ref failure, ex, null);
                    await stop.CancelAsync().ConfigureAwait(false);
                }
            }
        }, CancellationToken.None)).ToArray();
        try
        {
            await Task.WhenAll(workers.Append(producer)).ConfigureAwait(false);
        }
        finally
        {
            file.Flush(flushToDisk: true);
            writeGate.Dispose();
        }
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        cancellationToken.ThrowIfCancellationRequested();
        return new ExpandReport(plan.Count, labeled, resumed, started.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Labels in a checkpoint file; a torn last line (a crash mid-write) is cut off so appending can continue. A whole
    /// line that is not a label (the file was edited or damaged) is refused naming the file and line.
    /// </summary>
    public static List<LabeledPair> ReadCheckpoint(string path)
    {
        var labels = new List<LabeledPair>();
        if (!File.Exists(path))
        {
            return labels;
        }
        var bytes = File.ReadAllBytes(path);
        var goodLength = 0;
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != (byte)'\n')
            {
                continue;
            }
            labels.Add(ReadLine(path, labels.Count + 1, Encoding.UTF8.GetString(bytes, start, i - start)));
            start = i + 1;
            goodLength = start;
        }
        if (goodLength < bytes.Length)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
            file.SetLength(goodLength);
            file.Flush(flushToDisk: true);
        }
        return labels;
    }

    private static LabeledPair ReadLine(string path, long line, string text)
    {
        LabeledPair label;
        try
        {
            label = LabelFile.FromJson(text);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? null : ex.Path.TrimStart('$', '.');
            throw new DataFormatException(path, line, field, $"not a label line of `policy expand` ({ex.Message.Split(" Path:")[0]}); delete the line, or the file to label every pair again", ex);
        }
        if (label.Scores is null || label.Annotator is null)
        {
            throw new DataFormatException(path, line, label.Scores is null ? "scores" : "annotator", "missing from a label line of `policy expand`; delete the line, or the file to label every pair again");
        }
        return label;
    }
}