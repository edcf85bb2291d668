// The threads a deployment runs its stages on: each its own, started by name; the first failure is kept and stops
// them all (the caller rethrows it), and disposing stops and joins them.
namespace Lodestar.Pipelines.Stages;

internal sealed class StageThreads : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Thread> _threads = [];
    private Exception? _failure;

    public bool Failed => Volatile.Read(ref _failure) is not null;

    /// <summary>Runs <paramref name="body"/> on a thread of its own until it returns or the stages stop.</summary>
    public void Start(string name, Action<CancellationToken> body)
    {
        var thread = new Thread(() =>
        {
            try
            {
                body(_stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, new InvalidOperationException($"the {name} stage failed: {e.Message}", e), null);
                _stop.Cancel();
            }
        })
        { IsBackground = true, Name = $"nearline {name}" };
        _threads.Add(thread);
        thread.Start();
    }

    /// <summary>Throws the first failure of a stage, if one failed.</summary>
    public void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw failure;
        }
    }

    private int _disposed;

    /// <summary>Stops every stage and waits for its thread; a second call does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        _stop.Cancel();
        foreach (var thread in _threads)
        {
            thread.Join();
        }
        _stop.Dispose();
    }
}
