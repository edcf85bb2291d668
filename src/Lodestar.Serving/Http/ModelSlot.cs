// The models requests are answered with, held in one reference: a request reads it once at its start and keeps that
// set to its end, so a swap (new models loaded beside the old, then exchanged) never mixes two sets in one answer.
namespace Lodestar.Serving.Http;

public sealed class ModelSlot(ServingModels initial)
{
    private ServingModels _current = initial;

    public ServingModels Current => Volatile.Read(ref _current);

    /// <summary>Puts <paramref name="next"/> in service; returns the set it replaced.</summary>
    public ServingModels Swap(ServingModels next) => Interlocked.Exchange(ref _current, next);
}
