// What a server needs of the nearline deployment it sits on, embedded (one process, SQLite) or scaled out (Redis,
// shared by several servers): what a replay needs (to catch the state up with a world), a reader of the state, the
// index it searches and a way in for events that never waits.
using Lodestar.Index;
using Lodestar.Pipelines.Embedded;

namespace Lodestar.Pipelines.Store;

public interface INearlineDeployment : IReplayTarget
{
    /// <summary>A reader of the state for the server's requests (the server disposes it).</summary>
    INearlineReader OpenReader();

    /// <summary>True when other servers append events to the same state, so this one's clock must follow the state's.</summary>
    bool Shared { get; }

    /// <summary>The index this process searches.</summary>
    FlatIndex SearchIndex { get; }

    /// <summary>Appends the events durably and returns the sequence number of the last, or null, appending nothing, when
    /// the pipeline's event queue has no room for them now (a server sheds the request rather than wait).</summary>
    long? TryAppend(IReadOnlyList<(string Id, string Line)> events);
}
