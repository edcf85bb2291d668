// The generated world an experiment runs on: made on first use and written whole (beside its directory, swapped in when
// complete), so an experiment killed while generating leaves no half world for its rerun to take as finished.
using Lodestar.Core;
using Lodestar.Data.Schema;
using Lodestar.Data.Vocabularies;

namespace Lodestar.Data.Generation;

public static class ExperimentWorld
{
    /// <summary>Generates <paramref name="config"/>'s world into <paramref name="directory"/> unless a complete world is there.</summary>
    public static void EnsureGenerated(string directory, WorldConfig config, Action<string>? log)
    {
        if (File.Exists(Path.Combine(directory, WorldManifest.FileName)))
        {
            return;
        }
        log?.Invoke($"generating a world of {config.Members} members in {directory}");
        StagedDirectory.Write(directory, WorldManifest.FileName, replace: false, staging => WorldGenerator.Generate(config, BuiltInVocabulary.Create(), staging));
    }
}
