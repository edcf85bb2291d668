// A recursive-descent parser for policy expressions: arithmetic, comparisons, `and`/`or`/`not`,
// function calls and dotted field names (`overlap(member.skills, job.required_skills) >= 0.5`).
using System.Globalization;

namespace Lodestar.Policy.Expressions;

/// <summary>
/// Grammar (lowest precedence first):
/// or := and ('or' and)* ; and := not ('and' not)* ; not := 'not' not | cmp ;
/// cmp := add (('=='|'!='|'&lt;'|'&lt;='|'&gt;'|'&gt;=') add)? ; add := mul (('+'|'-') mul)* ;
/// mul := unary (('*'|'/') unary)* ; unary := '-' unary | primary ;
/// primary := number | 'text' | true | false | name('.'name)* | name '(' args ')' | '(' or ')'.
/// </summary>
public sealed class ExprParser
{
    private readonly string _text;
    private int _pos;

    private ExprParser(string text) => _text = text;

    public static ExprNode Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new ExprParser(text);
        parser.SkipSpace();
        if (parser._pos >= text.Length)
        {
            throw new ExprException(0, "the expression is empty");
        }
        var node = parser.ParseOr();
        parser.SkipSpace();
        if (parser._pos < text.Length)
        {
            throw new ExprException(parser._pos, $"unexpected '{text[parser._pos]}' after a complete expression");
        }
        return node;
    }

    private ExprNode ParseOr()
    {
        var left = ParseAnd();
        while (TryKeyword("or", out var at))
        {
            left = new Binary(at, "or", left, ParseAnd());
        }
        return left;
    }

    private ExprNode ParseAnd()
    {
        var left = ParseNot();
        while (TryKeyword("and", out var at))
        {
            left = new Binary(at, "and", left, ParseNot());
        }
        return left;
    }

    private ExprNode ParseNot() =>
        TryKeyword("not", out var at) ? new Unary(at, "not", ParseNot()) : ParseComparison();

    private ExprNode ParseComparison()
    {
        var left = ParseAdditive();
        SkipSpace();
        foreach (var op in (string[])["==", "!=", "<=", ">=", "<", ">"])
        {
            if (string.CompareOrdinal(_text, _pos, op, 0, op.Length) == 0)
            {
                var at = _pos;
                _pos += op.Length;
                return new Binary(at, op, left, ParseAdditive());
            }
        }
        return left;
    }

    private ExprNode ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (TrySymbol('+', '-', out var op, out var at))
        {
            left = new Binary(at, op.ToString(), left, ParseMultiplicative());
        }
        return left;
    }

    private ExprNode ParseMultiplicative()
    {
        var left = ParseUnary();
        while (TrySymbol('*', '/', out var op, out var at))
        {
            left = new Binary(at, op.ToString(), left, ParseUnary());
        }
        return left;
    }

    private ExprNode ParseUnary()
    {
        SkipSpace();
        if (_pos < _text.Length && _text[_pos] == '-')
        {
            var at = _pos++;
            return new Unary(at, "-", ParseUnary());
        }
        return ParsePrimary();
    }

    private ExprNode ParsePrimary()
    {
        SkipSpace();
        if (_pos >= _text.Length)
        {
            throw new ExprException(_pos, "the expression ends where a value was expected");
        }
        var start = _pos;
        var c = _text[_pos];
        if (char.IsAsciiDigit(c) || (c == '.' && _pos + 1 < _text.Length && char.IsAsciiDigit(_text[_pos + 1])))
        {
            while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] == '.'))
            {
                _pos++;
            }
            var literal = _text[start.._pos];
            if (!double.TryParse(literal, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                throw new ExprException(start, $"'{literal}' is not a number");
            }
            return new NumberLiteral(start, value);
        }
        if (c is '\'' or '"')
        {
            var end = _text.IndexOf(c, _pos + 1);
            if (end < 0)
            {
                throw new ExprException(start, "the text literal is not closed");
            }
            _pos = end + 1;
            return new TextLiteral(start, _text[(start + 1)..end]);
        }
        if (c == '(')
        {
            _pos++;
            var inner = ParseOr();
            Expect(')');
            return inner;
        }
        if (char.IsAsciiLetter(c) || c == '_')
        {
            var name = ReadDottedName();
            if (name == "true" || name == "false")
            {
                return new BoolLiteral(start, name == "true");
            }
            SkipSpace();
            if (_pos < _text.Length && _text[_pos] == '(')
            {
                if (name.Contains('.', StringComparison.Ordinal))
                {
                    throw new ExprException(start, $"'{name}' is a field, not a function");
                }
                _pos++;
                var args = new List<ExprNode>();
                SkipSpace();
                if (_pos < _text.Length && _text[_pos] == ')')
                {
                    _pos++;
                    return new Call(start, name, args);
                }
                while (true)
                {
                    args.Add(ParseOr());
                    SkipSpace();
                    if (_pos < _text.Length && _text[_pos] == ',')
                    {
                        _pos++;
                        continue;
                    }
                    Expect(')');
                    return new Call(start, name, args);
                }
            }
            return new NameRef(start, name);
        }
        throw new ExprException(start, $"unexpected '{c}' where a value was expected");
    }

    private string ReadDottedName()
    {
        var start = _pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_' || _text[_pos] == '.'))
        {
            _pos++;
        }
        var name = _text[start.._pos];
        if (name.EndsWith('.') || name.Contains("..", StringComparison.Ordinal))
        {
            throw new ExprException(start, $"'{name}' is not a valid name");
        }
        return name;
    }

    private bool TryKeyword(string keyword, out int at)
    {
        SkipSpace();
        at = _pos;
        var end = _pos + keyword.Length;
        if (end <= _text.Length && string.CompareOrdinal(_text, _pos, keyword, 0, keyword.Length) == 0
            && (end == _text.Length || !(char.IsAsciiLetterOrDigit(_text[end]) || _text[end] == '_')))
        {
            _pos = end;
            return true;
        }
        return false;
    }

    private bool TrySymbol(char first, char second, out char op, out int at)
    {
        SkipSpace();
        at = _pos;
        op = _pos < _text.Length ? _text[_pos] : '\0';
        if (op == first || op == second)
        {
            _pos++;
            return true;
        }
        return false;
    }

    private void Expect(char c)
    {
        SkipSpace();
        if (_pos >= _text.Length || _text[_pos] != c)
        {
            throw new ExprException(_pos, _pos >= _text.Length ? $"expected '{c}' but the expression ended" : $"expected '{c}' but found '{_text[_pos]}'");
        }
        _pos++;
    }

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
        {
            _pos++;
        }
    }
}
