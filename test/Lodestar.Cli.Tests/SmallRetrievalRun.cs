// The small world and feed-retrieval config the nearline and kill tests train on: 200 members over 8 days and a
// one-layer encoder of width 16, so a run takes seconds.
namespace Lodestar.Cli.Tests;

internal static class SmallRetrievalRun
{
    /// <summary>Generates the world in <paramref name="directory"/>/world and writes the config beside it; returns the config's path.</summary>
    /// <param name="training">The config's "training" object (epochs, batch size, checkpoints).</param>
    public static string WriteConfig(string directory, string training)
    {
        var world = Path.Combine(directory, "world");
        CliProcess.Run("world", "generate", "--out", world, "--members", "200", "--days", "8", "--seed", "5", "--json");
        var config = Path.Combine(directory, "retrieval.json");
        File.WriteAllText(config, $$"""
            {
              "world": "{{world}}", "tokenizer_vocab": 512, "member_tokens": 64, "post_tokens": 48, "evaluation_examples": 20,
              "data": { "validation_days": 2, "test_days": 2 },
              "model": { "channels": 16, "heads": 2, "feed_forward": 32, "layers": 1, "max_positions": 80 },
              "training": {{training}}
            }
            """);
        return config;
    }
}
