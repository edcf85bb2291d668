// BenchmarkDotNet entry point for Lodestar's kernels and models: `dotnet run -c Release --project
// bench/Lodestar.Benchmarks -- --filter '*'`. Each benchmark class reports allocations (MemoryDiagnoser).
using BenchmarkDotNet.Running;

namespace Lodestar.Benchmarks;

public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
