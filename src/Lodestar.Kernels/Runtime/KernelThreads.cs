// A persistent pool of worker threads for the kernels: For(count, ref body) runs body.Invoke(i) for every
// i in [0, count) on up to Count threads, the calling thread included, without allocating per call.
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Lodestar.Kernels;

public static unsafe class KernelThreads
{
    // Spinning a few tens of microseconds keeps back-to-back kernel calls from paying an OS wake-up;
    // after that a worker blocks so idle pools do not burn the (shared) cores.
    private const int SpinIterationsBeforeBlocking = 5_000;

    private static readonly object Gate = new();
    private static readonly object CallerGate = new();
    private static readonly List<WorkerSlot> Workers = [];
    private static int count = Environment.ProcessorCount;
    private static int startedWorkers;

    // The job currently published to the workers (valid while a For call is running).
    private static delegate*<void*, int, void> jobInvoker;
    private static void* jobBody;
    private static int jobCount;
    private static int nextIndex;
    private static long generation;

    // Workers join a job by incrementing jobState while its closed bit is clear; the caller sets the bit
    // once the items are exhausted and then waits only for the workers that joined (a worker the OS has
    // not scheduled yet is simply left out, so an oversubscribed machine never stalls a call).
    private const long JobClosed = 1L << 40;
    private static long jobState = JobClosed;
    private static int exitedWorkers;
    private static int sleepingWorkers;
    private static ExceptionDispatchInfo? firstFailure;

    [ThreadStatic] private static bool insideJob;

    /// <summary>Threads a For call may use, the caller included; 1 runs every loop inline on the caller.</summary>
    public static int Count
    {
        get => Volatile.Read(ref count);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(Count));
            lock (CallerGate)
            {
                Volatile.Write(ref count, value);
            }
        }
    }

    /// <summary>True on a pool worker (or the caller) while it runs a body; nested For calls then run inline.</summary>
    public static bool IsInsideParallelLoop => insideJob;

    /// <summary>Managed bytes the pool workers had allocated as of the last job each joined (for allocation tests).</summary>
    internal static long WorkerAllocatedBytes
    {
        get
        {
            lock (CallerGate)
            {
                long total = 0;
                foreach (var worker in Workers)
                {
                    total += Volatile.Read(ref worker.AllocatedBytes);
                }
                return total;
            }
        }
    }

    /// <summary>Runs body.Invoke(i) for i in [0, count). Nested or concurrent calls run inline on their caller.</summary>
    public static void For<TBody>(int count, ref TBody body) where TBody : struct, IParallelBody
    {
        if (count <= 0)
        {
            return;
        }
        int threads = Math.Min(Count, count);
        if (threads > 1 && !insideJob && Volatile.Read(ref startedWorkers) < threads - 1)
        {
            // Start the workers on the first call that wants them, even if this call ends up running inline
            // because another caller holds the pool: later calls must never pay for thread creation.
            lock (CallerGate)
            {
                EnsureWorkers(threads - 1);
            }
        }
        if (threads <= 1 || insideJob || !Monitor.TryEnter(CallerGate))
        {
            RunInline(count, ref body);
            return;
        }
        try
        {
            EnsureWorkers(threads - 1);
            fixed (byte* bodyPointer = &Unsafe.As<TBody, byte>(ref body))
            {
                RunOnPool(count, threads - 1, &Invoker<TBody>.Invoke, bodyPointer);
            }
        }
        finally
        {
            Monitor.Exit(CallerGate);
        }
    }

    private static void RunInline<TBody>(int count, ref TBody body) where TBody : struct, IParallelBody
    {
        bool wasInside = insideJob;
        insideJob = true;
        try
        {
            for (int i = 0; i < count; i++)
            {
                body.Invoke(i);
            }
        }
        finally
        {
            insideJob = wasInside;
        }
    }

    private static void RunOnPool(int count, int workers, delegate*<void*, int, void> invoker, void* body)
    {
        jobInvoker = invoker;
        jobBody = body;
        jobCount = count;
        firstFailure = null;
        Volatile.Write(ref nextIndex, 0);
        Volatile.Write(ref exitedWorkers, 0);
        Interlocked.Exchange(ref jobState, 0);
        // Each needed worker gets a new ticket (its wake-up call); the ones not needed stay asleep.
        long ticket = ++generation;
        for (int w = 0; w < workers; w++)
        {
            Interlocked.Exchange(ref Workers[w].Ticket, ticket);
        }
        if (Volatile.Read(ref sleepingWorkers) > 0)
        {
            lock (Gate)
            {
                Monitor.PulseAll(Gate);
            }
        }

        insideJob = true;
        try
        {
            RunItems();
        }
        finally
        {
            insideJob = false;
        }
        int joined = (int)(Interlocked.Or(ref jobState, JobClosed) & (JobClosed - 1));
        var spin = new SpinWait();
        while (Volatile.Read(ref exitedWorkers) != joined)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
        jobBody = null;
        firstFailure?.Throw();
    }

    private static void RunItems()
    {
        int total = jobCount;
        delegate*<void*, int, void> invoker = jobInvoker;
        void* body = jobBody;
        int index;
        while ((index = Interlocked.Increment(ref nextIndex) - 1) < total)
        {
            try
            {
                invoker(body, index);
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref firstFailure, ExceptionDispatchInfo.Capture(ex), null);
                // Claim the remaining items so every participant stops promptly.
                Volatile.Write(ref nextIndex, total);
            }
        }
    }

    private static void EnsureWorkers(int needed)
    {
        while (Workers.Count < needed)
        {
            var slot = new WorkerSlot();
            var thread = new Thread(() => WorkerLoop(slot))
            {
                IsBackground = true,
                Name = $"lodestar-kernel-{Workers.Count}",
            };
            Workers.Add(slot);
            thread.Start();
        }
        Volatile.Write(ref startedWorkers, Workers.Count);
    }

    private static void WorkerLoop(WorkerSlot slot)
    {
        GemmBuffers.Reserve();
        long seen = 0;
        while (true)
        {
            seen = WaitForNextJob(slot, seen);
            if (!TryJoinJob())
            {
                continue;
            }
            insideJob = true;
            try
            {
                RunItems();
            }
            finally
            {
                insideJob = false;
                Volatile.Write(ref slot.AllocatedBytes, GC.GetAllocatedBytesForCurrentThread());
                Interlocked.Increment(ref exitedWorkers);
            }
        }
    }

    private static bool TryJoinJob()
    {
        while (true)
        {
            long state = Volatile.Read(ref jobState);
            if ((state & JobClosed) != 0)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref jobState, state + 1, state) == state)
            {
                return true;
            }
        }
    }

    private static long WaitForNextJob(WorkerSlot slot, long seen)
    {
        for (int i = 0; i < SpinIterationsBeforeBlocking; i++)
        {
            long current = Volatile.Read(ref slot.Ticket);
            if (current != seen)
            {
                return current;
            }
            Thread.SpinWait(4);
        }
        lock (Gate)
        {
            // Interlocked gives the full fence that pairs with the publisher's Interlocked.Exchange of the
            // ticket: either this worker sees its new ticket or the publisher sees a sleeper and pulses.
            Interlocked.Increment(ref sleepingWorkers);
            try
            {
                long current;
                while ((current = Interlocked.Read(ref slot.Ticket)) == seen)
                {
                    Monitor.Wait(Gate);
                }
                return current;
            }
            finally
            {
                Interlocked.Decrement(ref sleepingWorkers);
            }
        }
    }

    private sealed class WorkerSlot
    {
        public long Ticket;
        public long AllocatedBytes;
    }

    private static class Invoker<TBody> where TBody : struct, IParallelBody
    {
        public static void Invoke(void* body, int index) => Unsafe.AsRef<TBody>(body).Invoke(index);
    }
}
