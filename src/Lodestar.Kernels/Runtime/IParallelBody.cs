// The unit of work KernelThreads.For runs in parallel: a struct whose Invoke(index) handles one item.
// A struct (not a delegate) so that a parallel loop needs no closure and no allocation.
namespace Lodestar.Kernels;

public interface IParallelBody
{
    void Invoke(int index);
}
