// Rank and rating statistics for comparing two labelers: quadratic-weighted kappa, Spearman's rho
// (average ranks for ties), Kendall's tau-b and pairwise ranking accuracy.
namespace Lodestar.Policy.Agreement;

public static class RankStatistics
{
    /// <summary>
    /// Cohen's kappa with quadratic weights w_ij = (i-j)²/(k-1)² over ratings in [min, max]:
    /// κ = 1 - Σ w O / Σ w E, where E is the outer product of the two marginal histograms scaled to N.
    /// 1 = perfect agreement, 0 = chance; defined as 1 when both raters are constant and equal.
    /// </summary>
    public static double QuadraticWeightedKappa(ReadOnlySpan<int> a, ReadOnlySpan<int> b, int min, int max)
    {
        if (a.Length != b.Length || a.Length == 0)
        {
            throw new ArgumentException("kappa needs two non-empty rating lists of the same length");
        }
        var k = max - min + 1;
        var observed = new double[k, k];
        var histA = new double[k];
        var histB = new double[k];
        for (var i = 0; i < a.Length; i++)
        {
            observed[a[i] - min, b[i] - min]++;
            histA[a[i] - min]++;
            histB[b[i] - min]++;
        }
        double numerator = 0, denominator = 0;
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < k; j++)
            {
                var w = (double)(i - j) * (i - j) / ((k - 1) * (k - 1));
                numerator += w * observed[i, j];
                denominator += w * histA[i] * histB[j] / a.Length;
            }
        }
        return denominator == 0 ? (numerator == 0 ? 1.0 : 0.0) : 1.0 - numerator / denominator;
    }

    /// <summary>Spearman's rho: the Pearson correlation of average ranks (ties share the mean rank).</summary>
    public static double Spearman(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => Pearson(Ranks(a), Ranks(b));

    public static double Pearson(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double meanA = 0, meanB = 0;
        for (var i = 0; i < a.Length; i++)
        {
            meanA += a[i];
            meanB += b[i];
        }
        meanA /= a.Length;
        meanB /= b.Length;
        double cov = 0, varA = 0, varB = 0;
        for (var i = 0; i < a.Length; i++)
        {
            cov += (a[i] - meanA) * (b[i] - meanB);
            varA += (a[i] - meanA) * (a[i] - meanA);
            varB += (b[i] - meanB) * (b[i] - meanB);
        }
        return varA == 0 || varB == 0 ? 0.0 : cov / Math.Sqrt(varA * varB);
    }

    /// <summary>
    /// Kendall's tau-b = (C - D) / sqrt((n0 - n1)(n0 - n2)), with n0 = n(n-1)/2 and n1, n2 the pairs tied
    /// in a and in b; ties are handled as in scipy.stats.kendalltau. O(n²), fine for golden-set sizes.
    /// </summary>
    public static double KendallTauB(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        long concordant = 0, discordant = 0, tiedA = 0, tiedB = 0;
        for (var i = 0; i < a.Length; i++)
        {
            for (var j = i + 1; j < a.Length; j++)
            {
                var da = Math.Sign(a[i] - a[j]);
                var db = Math.Sign(b[i] - b[j]);
                if (da == 0)
                {
                    tiedA++;
                }
                if (db == 0)
                {
                    tiedB++;
                }
                if (da != 0 && db != 0)
                {
                    if (da == db)
                    {
                        concordant++;
                    }
                    else
                    {
                        discordant++;
                    }
                }
            }
        }
        var n0 = (long)a.Length * (a.Length - 1) / 2;
        var denominator = Math.Sqrt((double)(n0 - tiedA) * (n0 - tiedB));
        return denominator == 0 ? 0.0 : (concordant - discordant) / denominator;
    }

    /// <summary>
    /// Of all item pairs that the reference orders strictly, the fraction the candidate orders the same
    /// way; a candidate tie counts one half.
    /// </summary>
    public static double PairwiseAccuracy(ReadOnlySpan<double> reference, ReadOnlySpan<double> candidate)
    {
        double correct = 0;
        long total = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            for (var j = i + 1; j < reference.Length; j++)
            {
                var dr = Math.Sign(reference[i] - reference[j]);
                if (dr == 0)
                {
                    continue;
                }
                total++;
                var dc = Math.Sign(candidate[i] - candidate[j]);
                correct += dc == dr ? 1.0 : dc == 0 ? 0.5 : 0.0;
            }
        }
        return total == 0 ? 1.0 : correct / total;
    }

    /// <summary>1-based ranks, ties given the mean of the ranks they span.</summary>
    public static double[] Ranks(ReadOnlySpan<double> values)
    {
        var order = new int[values.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        var copy = values.ToArray();
        Array.Sort(order, (x, y) => copy[x].CompareTo(copy[y]));
        var ranks = new double[values.Length];
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && copy[order[end + 1]] == copy[order[start]])
            {
                end++;
            }
            var rank = (start + end) / 2.0 + 1;
            for (var i = start; i <= end; i++)
            {
                ranks[order[i]] = rank;
            }
            start = end + 1;
        }
        return ranks;
    }
}
