// Which keys each query may attend to, composable: causal, per-batch key padding (a keep byte per key, as
// packed prompts carry it, or key lengths), a per-batch isolated prefix and a block-sparse mask; every kernel,
// the dense reference and the autograd graph read this one definition.
namespace Lodestar.Kernels;

/// <summary>
/// Allowed(b, i, j) = (!Causal || j ≤ i) ∧ (KeyLengths is null || j &lt; KeyLengths[b])
/// ∧ (KeyKeep is null || KeyKeep[b·T + j] ≠ 0) ∧ (Block is null || Block.Allows(i, j))
/// ∧ (IsolatedPrefix is null || i ≥ IsolatedPrefix[b] || j &lt; IsolatedPrefix[b]).
/// A query row with no allowed key gets a zero output and a log-sum-exp of −∞.
/// </summary>
/// <param name="Causal">Query t sees keys ≤ t.</param>
/// <param name="KeyKeep">(B·T): 1 for real tokens, 0 for padding keys nobody attends to; null keeps all.</param>
/// <param name="Block">Block-sparse query-group/key-range mask (e.g. isolated candidates); null allows all.</param>
/// <param name="KeyLengths">(B): keys [0, KeyLengths[b]) are valid for batch b; null keeps all.</param>
/// <param name="IsolatedPrefix">(B): queries [0, P[b]) of batch b see keys [0, P[b]) only, later queries see every key: a
/// context (a member's profile and history) that no candidate after it changes, so one pass over the context serves
/// many candidates. Not combined with a block mask, which states the same per candidate. Null isolates nothing.</param>
public readonly record struct AttentionMask(bool Causal, byte[]? KeyKeep = null, BlockMask? Block = null, int[]? KeyLengths = null, int[]? IsolatedPrefix = null)
{
    public static AttentionMask None => default;
    public static AttentionMask CausalOnly => new(true);
    /// <summary>keyLengths is (B): keys [0, keyLengths[b]) are valid for batch b.</summary>
    public static AttentionMask ForKeyLengths(int[] keyLengths, bool causal = false) => new(causal, KeyLengths: keyLengths);
    /// <summary>keyKeep is (B,T): nonzero where the key is valid.</summary>
    public static AttentionMask ForKeyKeep(byte[] keyKeep, bool causal = false) => new(causal, KeyKeep: keyKeep);
    public static AttentionMask ForBlock(BlockMask block) => new(false, Block: block);
    /// <summary>keyKeep is (B,T) as in ForKeyKeep; queries [0, prefixLengths[b]) see only keys before prefixLengths[b].</summary>
    public static AttentionMask ForIsolatedPrefix(byte[] keyKeep, int[] prefixLengths) => new(false, KeyKeep: keyKeep, IsolatedPrefix: prefixLengths);

    public bool Allows(int batch, int tokens, int query, int key) =>
        (!Causal || key <= query)
        && (KeyLengths is null || key < KeyLengths[batch])
        && (KeyKeep is null || KeyKeep[batch * tokens + key] != 0)
        && (Block is null || Block.Allows(query, key))
        && (IsolatedPrefix is null || query >= IsolatedPrefix[batch] || key < IsolatedPrefix[batch]);

    /// <summary>Number of allowed (query, key) pairs in batch <paramref name="batch"/>, for FLOP counts.</summary>
    public long AllowedArea(int batch, int tokens)
    {
        if (KeyKeep is null && Block is null && IsolatedPrefix is null)
        {
            long keys = KeyLengths is null ? tokens : Math.Clamp(KeyLengths[batch], 0, tokens);
            return Causal ? keys * (keys + 1) / 2 + (tokens - keys) * keys : keys * tokens;
        }
        if (Block is not null && !Causal && KeyLengths is null && KeyKeep is null && IsolatedPrefix is null)
        {
            return Block.AllowedArea();
        }
        long area = 0;
        for (int i = 0; i < tokens; i++)
        {
            for (int j = 0; j < tokens; j++)
            {
                area += Allows(batch, tokens, i, j) ? 1 : 0;
            }
        }
        return area;
    }

    /// <summary>Throws naming the field that does not fit (B, T).</summary>
    public void Validate(int batch, int tokens)
    {
        if (KeyLengths is not null)
        {
            if (KeyLengths.Length != batch)
            {
                throw new ArgumentException($"attention mask: KeyLengths has {KeyLengths.Length} entries, expected B={batch}");
            }
            for (int b = 0; b < batch; b++)
            {
                if (KeyLengths[b] < 0 || KeyLengths[b] > tokens)
                {
                    throw new ArgumentException($"attention mask: KeyLengths[{b}]={KeyLengths[b]} is outside [0,{tokens}]");
                }
            }
        }
        if (KeyKeep is not null && KeyKeep.Length != batch * tokens)
        {
            throw new ArgumentException($"attention mask: KeyKeep has {KeyKeep.Length} entries, expected B·T={batch * tokens}");
        }
        if (Block is not null && Block.Length != tokens)
        {
            throw new ArgumentException($"attention mask: Block has T={Block.Length}, expected T={tokens}");
        }
        if (IsolatedPrefix is not null)
        {
            if (Block is not null)
            {
                throw new ArgumentException("attention mask: IsolatedPrefix and Block together; a block mask states the isolated context itself");
            }
            if (IsolatedPrefix.Length != batch)
            {
                throw new ArgumentException($"attention mask: IsolatedPrefix has {IsolatedPrefix.Length} entries, expected B={batch}");
            }
            for (int b = 0; b < batch; b++)
            {
                if (IsolatedPrefix[b] < 0 || IsolatedPrefix[b] > tokens)
                {
                    throw new ArgumentException($"attention mask: IsolatedPrefix[{b}]={IsolatedPrefix[b]} is outside [0,{tokens}]");
                }
            }
        }
    }
}
