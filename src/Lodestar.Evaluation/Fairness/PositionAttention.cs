// How much attention a reader gives each position of a ranked list: the weight a shown item's exposure is counted
// in. Logarithmic is DCG's position discount, which Singh & Joachims (KDD 2018) use for exposure; geometric is the
// rank-biased-precision browsing model (Moffat & Zobel 2008) that Diaz et al. (CIKM 2020) use for expected exposure.
namespace Lodestar.Evaluation.Fairness;

public enum AttentionModel
{
    /// <summary>1 / log2(2 + rank).</summary>
    Logarithmic,

    /// <summary>patience^rank: the reader goes on to the next item with probability patience.</summary>
    Geometric,

    /// <summary>1 for the first Cutoff ranks, 0 after: a retriever's candidate set, which the ranker reads alike.</summary>
    TopK,
}

public sealed record PositionAttention(AttentionModel Model, double Patience = 0.5, int Cutoff = 0)
{
    /// <summary>DCG's discount, the default: it falls slowly enough that a feed's first screen all counts.</summary>
    public static PositionAttention Logarithmic { get; } = new(AttentionModel.Logarithmic);

    /// <summary>The attention at <paramref name="rank"/> (0 is the top).</summary>
    public double At(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        return Model switch
        {
            AttentionModel.Logarithmic => 1 / Math.Log2(2 + rank),
            AttentionModel.Geometric => Math.Pow(Patience, rank),
            AttentionModel.TopK => rank < Cutoff ? 1 : 0,
            _ => throw new ArgumentOutOfRangeException(nameof(Model), Model, "unknown attention model"),
        };
    }

    public string Name => Model switch
    {
        AttentionModel.Geometric => $"geometric (patience {Patience})",
        AttentionModel.TopK => $"the top {Cutoff} alike (1 each), the rest 0",
        _ => "logarithmic (1/log2(2 + rank))",
    };

    public PositionAttention Validate()
    {
        if (Model == AttentionModel.Geometric && !(Patience > 0 && Patience < 1))
        {
            throw new ArgumentException($"patience: {Patience}; a geometric attention model needs 0 < patience < 1");
        }
        if (Model == AttentionModel.TopK && Cutoff < 1)
        {
            throw new ArgumentException($"cutoff: {Cutoff}; a top-K attention model needs K ≥ 1");
        }
        return this;
    }
}
