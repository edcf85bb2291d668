// An interpolated-string handler that formats a validation message only when the check fails, so
// argument checks on hot paths cost a comparison and allocate nothing.
using System.Runtime.CompilerServices;

namespace Lodestar.Tensors;

[InterpolatedStringHandler]
public ref struct RequireMessage
{
    private DefaultInterpolatedStringHandler _inner;
    private readonly bool _active;

    public RequireMessage(int literalLength, int formattedCount, bool condition, out bool shouldAppend)
    {
        _active = !condition;
        shouldAppend = _active;
        _inner = _active ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    public void AppendLiteral(string value) => _inner.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => _inner.AppendFormatted(value);

    public void AppendFormatted<T>(T value, string? format) => _inner.AppendFormatted(value, format);

    public void AppendFormatted(string? value) => _inner.AppendFormatted(value);

    internal string ToStringAndClear() => _active ? _inner.ToStringAndClear() : string.Empty;
}
