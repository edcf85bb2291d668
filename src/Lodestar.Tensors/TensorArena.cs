// Bump allocator for a graph's activations and gradients: chunks of float storage plus a pool of Tensor
// objects, both rewound by Reset(), so a warm training step that repeats the same ops allocates nothing. Large
// buffers get blocks of their own, kept across steps and handed out again by best fit, so steps whose shapes vary
// (batches padded to their longest sequence) reuse them instead of leaving gigabytes to the collector each step.
namespace Lodestar.Tensors;

public sealed class TensorArena
{
    // 4 Mi floats (16 MiB) per chunk unless one tensor needs more.
    private const int MinimumChunkFloats = 4 << 20;

    // Requests of at least this many floats (4 MiB) get a block of their own.
    private const int LargeFloats = 1 << 20;

    private readonly List<float[]> _chunks = [];
    // A free large block no step has used for this many resets is let go (a shape the batches have outgrown).
    private const int IdleResetsBeforeRelease = 4;

    private readonly List<(float[] Block, int LastUsed)> _freeBlocks = [];   // large blocks not handed out this step, shortest first
    private readonly List<float[]> _usedBlocks = [];
    private int _resets;

    private static readonly Comparison<(float[] Block, int LastUsed)> ShortestFirst = (a, b) => a.Block.Length.CompareTo(b.Block.Length);
    private readonly List<Tensor> _tensors = [];
    private int _chunkIndex;
    private int _chunkPosition;
    private int _tensorCount;

    /// <summary>Floats handed out since the last <see cref="Reset"/>, each request rounded up to 64 bytes: the activation
    /// and gradient memory of one step, without the slack of chunks and free blocks that <see cref="CapacityFloats"/> counts.</summary>
    public long FloatsInUse { get; private set; }

    /// <summary>Floats held by all chunks (capacity, not use).</summary>
    public long CapacityFloats
    {
        get
        {
            long total = 0;
            foreach (var chunk in _chunks.Concat(_freeBlocks.Select(f => f.Block)).Concat(_usedBlocks))
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
        FloatsInUse = 0;
        _chunkIndex = 0;
        _chunkPosition = 0;
        if (_usedBlocks.Count == 0 && _freeBlocks.Count == 0)
        {
            return;
        }
        // Loops rather than LINQ: a warm step's Reset must not allocate.
        _resets++;
        var kept = 0;
        for (var i = 0; i < _freeBlocks.Count; i++)
        {
            if (_resets - _freeBlocks[i].LastUsed <= IdleResetsBeforeRelease)
            {
                _freeBlocks[kept++] = _freeBlocks[i];
            }
        }
        _freeBlocks.RemoveRange(kept, _freeBlocks.Count - kept);
        foreach (var block in _usedBlocks)
        {
            _freeBlocks.Add((block, _resets));
        }
        _usedBlocks.Clear();
        _freeBlocks.Sort(ShortestFirst);
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
        FloatsInUse += rounded;
        if (rounded >= LargeFloats)
        {
            return (LargeBlock(rounded, zeroed, count), 0);
        }
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

    /// <summary>
    /// A block of at least <paramref name="floats"/> for one large buffer: the shortest free block that is long enough and
    /// at most a quarter longer, else a new one rounded up to a quarter-power-of-two size class (so a step asking for a
    /// little more than the last finds the class's block, and no block wastes more than a quarter). Free blocks idle for
    /// a few steps are released, so a shape the batches have outgrown does not hold memory for good.
    /// </summary>
    private float[] LargeBlock(int floats, bool zeroed, int count)
    {
        var size = SizeClass(floats);
        var index = 0;
        while (index < _freeBlocks.Count && _freeBlocks[index].Block.Length < floats)
        {
            index++;
        }
        index = index < _freeBlocks.Count ? index : -1;
        float[] block;
        if (index >= 0 && _freeBlocks[index].Block.Length <= size + (size / 4))
        {
            block = _freeBlocks[index].Block;
            _freeBlocks.RemoveAt(index);
        }
        else
        {
            block = GC.AllocateUninitializedArray<float>(size, pinned: true);
        }
        _usedBlocks.Add(block);
        if (zeroed)
        {
            block.AsSpan(0, count).Clear();
        }
        return block;
    }

    /// <summary>The smallest of 2ᵏ, 1.25·2ᵏ, 1.5·2ᵏ, 1.75·2ᵏ at or above <paramref name="floats"/>.</summary>
    private static int SizeClass(int floats)
    {
        var step = (long)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)floats) / 8;
        return (int)Math.Min(Array.MaxLength, (floats + step - 1) / step * step);
    }
}
