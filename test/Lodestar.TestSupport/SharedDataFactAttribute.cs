// A fact that needs a file from ../shared/data: skipped, with a message saying what is missing and
// where to get it, when the shared data sets are not beside the repository.
using Xunit;

namespace Lodestar.TestSupport;

[AttributeUsage(AttributeTargets.Method)]
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(string relativePath)
    {
        var data = RepoPaths.SharedData;
        if (data is null)
        {
            Skip = $"needs ../shared/data/{relativePath}: the shared data folder is not beside the repository (see README, 'Real data')";
        }
        else if (!File.Exists(Path.Combine(data, relativePath)) && !Directory.Exists(Path.Combine(data, relativePath)))
        {
            Skip = $"needs ../shared/data/{relativePath}, which is missing";
        }
    }
}

/// <summary>A theory counterpart of <see cref="SharedDataFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute(string relativePath)
    {
        var data = RepoPaths.SharedData;
        if (data is null || (!File.Exists(Path.Combine(data, relativePath)) && !Directory.Exists(Path.Combine(data, relativePath))))
        {
            Skip = $"needs ../shared/data/{relativePath}, which is not beside the repository";
        }
    }
}
