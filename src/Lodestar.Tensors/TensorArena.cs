// Bump allocator for a graph's activations and gradients: chunks of float storage plus a pool of Tensor
// objects, both rewound by Reset(), so a warm training step that repeats the same ops allocates nothing.
namespace Lodestar.Tensors;

public sealed class TensorArena
{
    // 4 Mi floats (16 MiB) per chunk unless one tensor needs more.
    private const int MinimumChunkFloats = 4 << 20;

    private readonly List<float[]> _chunks = [];
    private readonly List<Tensor> _tensors = [];
    private int _chunkIndex;
    private int _chunkPosition;
    private int _tensorCount;

    /// <summary>Floats held by all chunks (capacity, not use).</summary>
    public long CapacityFloats
    {
        get
        {
            long total = 0;
            foreach (var chunk in _chunks)
            {
                total += chunk.Length;
            }
            return total;
        }
    }

    /// <summary>Rewinds every allocation; tensors handed out before are invalid afterwards.</summary>
    public void Reset()
    {
        for (var i = 0; i < _tensorCount; i++)
        {
            _tensors[i].ResetForReuse();
        }
        _tensorCount = 0;
        _chunkIndex = 0;
        _chunkPosition = 0;
    }

    /// <summary>A contiguous tensor of the given shape; zeroed when asked, otherwise holding stale values.</summary>
    public Tensor Allocate(ReadOnlySpan<int> shape, bool zeroed)
    {
        var tensor = NextTensor();
        tensor.SetShapeContiguous(shape);
        (tensor.Storage, tensor.Offset) = AllocateFloats(tensor.Length, zeroed);
        return tensor;
    }

    /// <summary>A tensor object without storage (for views).</summary>
    internal Tensor NextTensor()
    {
        if (_tensorCount == _tensors.Count)
        {
            _tensors.Add(new Tensor());
        }
        var tensor = _tensors[_tensorCount++];
        tensor.ResetForReuse();
        return tensor;
    }

    /// <summary>Raw float storage for a gradient or scratch buffer.</summary>
    internal (float[] Storage, int Offset) AllocateFloats(int count, bool zeroed)
    {
        // Round to 16 floats (64 bytes) so each buffer starts on its own cache line within the chunk.
        var rounded = (count + 15) & ~15;
        while (true)
        {
            if (_chunkIndex == _chunks.Count)
            {
                _chunks.Add(GC.AllocateUninitializedArray<float>(Math.Max(MinimumChunkFloats, rounded), pinned: true));
            }
            var chunk = _chunks[_chunkIndex];
            if (_chunkPosition + rounded <= chunk.Length)
            {
                var offset = _chunkPosition;
                _chunkPosition += rounded;
                if (zeroed)
                {
                    chunk.AsSpan(offset, count).Clear();
                }
                return (chunk, offset);
            }
            if (_chunkPosition == 0)
            {
                // An empty chunk too small for this request: replace it with a larger one (warm-up only).
                _chunks[_chunkIndex] = GC.AllocateUninitializedArray<float>(Math.Max(MinimumChunkFloats, rounded), pinned: true);
                continue;
            }
            _chunkIndex++;
            _chunkPosition = 0;
        }
    }
}
