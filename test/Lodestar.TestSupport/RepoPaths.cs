// Where the tests find the repository (golden files) and the shared real data sets beside it
// (../shared/data), which are never committed here.
namespace Lodestar.TestSupport;

public static class RepoPaths
{
    /// <summary>The repository root: the nearest ancestor of the test binary holding Lodestar.slnx.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>../shared/data beside the repository, or null when it is not there.</summary>
    public static string? SharedData
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"));
            return Directory.Exists(path) ? path : null;
        }
    }

    /// <summary>A path under ../shared/data; throws when the folder is missing (use [SharedDataFact] to skip instead).</summary>
    public static string SharedDataFile(string relative) =>
        Path.Combine(SharedData ?? throw new DirectoryNotFoundException("../shared/data is not beside the repository"), relative);

    /// <summary>A path under test/golden (committed golden files made by the scripts under tools/).</summary>
    public static string Golden(string relative) => Path.Combine(Root, "test", "golden", relative);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Lodestar.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException($"no Lodestar.slnx above {AppContext.BaseDirectory}");
    }
}
