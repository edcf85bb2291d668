// Loads YAML text into YamlDotNet's node tree with every syntax problem as a YamlException carrying the place it was
// found. YamlDotNet reports most syntax errors that way, but some malformed inputs (an open flow collection followed by a
// mapping, `key: [a` then `b: c`) escape as an InvalidOperationException, others as an
// ArgumentException ("the current event is of an unsupported type"), with no position; those are turned into a
// YamlException at the last event the parser produced before it failed.
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Lodestar.Text.Yaml;

public static class YamlText
{
    /// <summary>The documents of <paramref name="text"/>; a syntax problem throws YamlException with its line and column.</summary>
    public static YamlStream Load(string text)
    {
        var parser = new TrackingParser(new Parser(new StringReader(text)));
        var stream = new YamlStream();
        try
        {
            stream.Load(parser);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's own message here describes its state, not the text; the position is what helps.
            throw new YamlException(parser.LastStart, parser.LastEnd, "the YAML parser stopped after this point: a collection opened here is not closed, or what follows cannot go here");
        }
        return stream;
    }

    /// <summary>A parser that remembers where its last event started and ended.</summary>
    private sealed class TrackingParser(IParser inner) : IParser
    {
        public Mark LastStart { get; private set; } = Mark.Empty;

        public Mark LastEnd { get; private set; } = Mark.Empty;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            var moved = inner.MoveNext();
            if (inner.Current is { } current)
            {
                (LastStart, LastEnd) = (current.Start, current.End);
            }
            return moved;
        }
    }
}
