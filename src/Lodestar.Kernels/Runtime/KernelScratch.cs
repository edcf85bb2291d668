// Per-thread scratch buffers for kernels that need workspace (fused attention): pinned, grown on demand and
// then reused, so a warm call allocates nothing and worker threads never share a buffer.
namespace Lodestar.Kernels;

internal static unsafe class KernelScratch
{
    public const int Slots = 13;

    [ThreadStatic] private static float[]?[]? t_buffers;

    /// <summary>Floats readable past the requested length, so a vector load at the tail stays in the buffer.</summary>
    public const int Slack = 64;

    /// <summary>A pinned buffer of at least <paramref name="length"/> (+ Slack) floats for this thread's slot; contents undefined.</summary>
    public static float* Get(int slot, long length)
    {
        length += Slack;
        var buffers = t_buffers ??= new float[Slots][];
        var buffer = buffers[slot];
        if (buffer is null || buffer.Length < length)
        {
            // Grow geometrically so shapes that creep upwards do not reallocate every call.
            long grown = Math.Max(length, (long)((buffer?.Length ?? 0) * 1.5));
            buffer = GC.AllocateUninitializedArray<float>(checked((int)grown), pinned: true);
            buffers[slot] = buffer;
        }
        return (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref buffer[0]);
    }
}
