// What a reader does with a malformed line: throw (the default) or, under an explicit --skip-bad, count
// it and keep the first few messages for the report. Never silently drops a line.
namespace Lodestar.Data.Storage;

public sealed class BadLineLog
{
    private readonly List<string> _examples = [];

    /// <param name="skipBad">false: the first bad line throws; true: bad lines are counted and skipped.</param>
    /// <param name="maxExamples">how many messages to keep for the report.</param>
    public BadLineLog(bool skipBad, int maxExamples = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxExamples);
        SkipBad = skipBad;
        MaxExamples = maxExamples;
    }

    /// <summary>A log that throws on the first bad line.</summary>
    public static BadLineLog Strict => new(skipBad: false);

    public bool SkipBad { get; }

    public int MaxExamples { get; }

    public long Skipped { get; private set; }

    public IReadOnlyList<string> Examples => _examples;

    /// <summary>Throws <paramref name="error"/> unless skipping; otherwise records it.</summary>
    public void Report(DataFormatException error)
    {
        if (!SkipBad)
        {
            throw error;
        }
        Skipped++;
        if (_examples.Count < MaxExamples)
        {
            _examples.Add(error.Message);
        }
    }
}
