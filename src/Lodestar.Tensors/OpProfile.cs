// Wall time of a graph's work by op kind (forward, backward) and by GEMM shape, for `lodestar bench train-step
// --profile`. Off unless a profile is made current on the calling thread, so unprofiled steps pay one read.
using System.Diagnostics;

namespace Lodestar.Tensors;

/// <summary>One row of a profile: calls and wall time of one op (or GEMM shape) in one section, summed over steps;
/// Flops is set for GEMM rows (2·m·n·k per call).</summary>
public sealed record OpProfileRow(string Section, string Name, long Calls, double Milliseconds, double Flops);

/// <summary>
/// Sums Stopwatch ticks by (section, name). Sections: "forward" (time between one recorded op and the previous
/// one, so it includes the untracked work just before an op), "backward" (each tape entry's backward, exact),
/// "gemm" (each Graph matrix product by transposes and m×n×k, nested inside the forward and backward rows) and
/// whatever sections the caller adds (optimizer, zeroing). Profiling allocates; it is a diagnostic, not a
/// measurement of allocation.
/// </summary>
public sealed class OpProfile
{
    [ThreadStatic] private static OpProfile? current;

    private readonly Dictionary<(string Section, string Name), (long Calls, long Ticks, double Flops)> _totals = [];
    private long _forwardMark;

    /// <summary>The profile graph ops on this thread report to (null: profiling off).</summary>
    public static OpProfile? Current
    {
        get => current;
        set => current = value;
    }

    /// <summary>Starts the clock for the next forward op (call right before a forward pass).</summary>
    public void BeginForward() => _forwardMark = Stopwatch.GetTimestamp();

    /// <summary>Adds the time since `startTimestamp` (Stopwatch.GetTimestamp) to (section, name).</summary>
    public void Add(string section, string name, long startTimestamp, double flops = 0)
    {
        var ticks = Stopwatch.GetTimestamp() - startTimestamp;
        _totals.TryGetValue((section, name), out var total);
        _totals[(section, name)] = (total.Calls + 1, total.Ticks + ticks, total.Flops + flops);
    }

    /// <summary>Rows sorted by section then descending time.</summary>
    public IReadOnlyList<OpProfileRow> Rows() =>
        _totals.Select(pair => new OpProfileRow(pair.Key.Section, pair.Key.Name, pair.Value.Calls,
                pair.Value.Ticks * 1000.0 / Stopwatch.Frequency, pair.Value.Flops))
            .OrderBy(row => row.Section, StringComparer.Ordinal).ThenByDescending(row => row.Milliseconds).ToList();

    public void Clear() => _totals.Clear();

    /// <summary>Graph.Record: the op just recorded ran since the previous mark.</summary>
    internal void MarkForward(OpKind op)
    {
        Add("forward", op.ToString(), _forwardMark);
        _forwardMark = Stopwatch.GetTimestamp();
    }

    internal static string GemmName(bool transposeA, bool transposeB, int m, int n, int k) =>
        $"{(transposeA ? 't' : 'n')}{(transposeB ? 't' : 'n')} {m}x{n}x{k}";
}
