// Leased inference graphs: two callers at once never share one, a lease disposed twice is returned once, and a warm
// caller's large activations reuse the returned graph's blocks instead of allocating new ones.
namespace Lodestar.Tensors.Tests;

public sealed class InferenceGraphsTests
{
    [Fact]
    public void CallersAtOnceGetTheirOwnInferenceGraphs()
    {
        using var a = InferenceGraphs.Rent();
        using var b = InferenceGraphs.Rent();
        Assert.NotSame(a.Graph, b.Graph);
        Assert.False(a.Graph.IsRecording);
        Assert.False(b.Graph.IsRecording);
    }

    [Fact]
    public void ALeaseDisposedTwiceIsReturnedOnce()
    {
        var lease = InferenceGraphs.Rent();
        lease.Dispose();
        lease.Dispose();
        using var first = InferenceGraphs.Rent();
        using var second = InferenceGraphs.Rent();
        Assert.NotSame(first.Graph, second.Graph);
    }

    [Fact]
    public void AWarmCallerReusesTheBlocksOfTheGraphItGotBack()
    {
        static void Forward()
        {
            using var lease = InferenceGraphs.Rent();
            lease.Graph.Empty(64, 96, 512).Data.Fill(1f);
            lease.Graph.Empty(64, 96, 128).Data.Fill(2f);
        }
        Forward();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var call = 0; call < 20; call++)
        {
            Forward();
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // One call's activations are 16 MB; twenty calls on new graphs would allocate 320 MB.
        Assert.True(allocated < 1_000_000, $"{allocated:N0} bytes allocated by 20 warm calls");
    }
}
