// Inference graphs kept between calls. A forward pass over a batch of hundreds of candidates makes activations of
// megabytes each; a new graph per call allocates them afresh on the large-object heap, and in a server holding
// gigabytes of state every few calls then set off a full background collection that competes with the requests for
// the cores. A leased graph keeps its arena's blocks, so a warm call allocates nothing. At most a few idle graphs are
// kept (requests computing at once are bounded by the cores), so the memory held is a few arenas.
using System.Collections.Concurrent;

namespace Lodestar.Tensors;

public static class InferenceGraphs
{
    private static readonly ConcurrentBag<Graph> s_idle = [];
    private static int s_idleCount;

    /// <summary>Idle graphs kept for the next callers: two per core.</summary>
    public static int MaxIdle { get; } = 2 * Environment.ProcessorCount;

    /// <summary>Graphs idle in the pool now.</summary>
    public static int Idle => Volatile.Read(ref s_idleCount);

    /// <summary>An inference-mode graph (no tape) for one caller until the lease is disposed; its tensors are invalid after that.</summary>
    public static Lease Rent()
    {
        if (s_idle.TryTake(out var graph))
        {
            Interlocked.Decrement(ref s_idleCount);
            return new Lease(graph);
        }
        return new Lease(new Graph(recordGradients: false));
    }

    private static void Return(Graph graph)
    {
        graph.Reset();
        if (Interlocked.Increment(ref s_idleCount) <= MaxIdle)
        {
            s_idle.Add(graph);
        }
        else
        {
            Interlocked.Decrement(ref s_idleCount);
        }
    }

    /// <summary>A rented graph; disposing it rewinds the graph and gives it back, once.</summary>
    public sealed class Lease(Graph graph) : IDisposable
    {
        private int _returned;

        public Graph Graph { get; } = graph;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _returned, 1) == 0)
            {
                Return(Graph);
            }
        }
    }
}
