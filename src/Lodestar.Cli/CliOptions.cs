// Options shared by many commands, spelled and described once.
using System.CommandLine;
using Lodestar.Training.Loop;

namespace Lodestar.Cli;

public static class CliOptions
{
    /// <summary>The shared `--force` flag: without it a command refuses to write over a result already at its output.</summary>
    public static Option<bool> Force() => new("--force") { Description = "Replace the result already at the output; without it, an existing result is refused untouched." };

    /// <summary>The shared `--force` of a training command: a run already in the run directory is discarded before a new one starts there.</summary>
    public static Option<bool> ForceRun() => new("--force") { Description = "Discard the run already in the run directory and start a new one there; without it, that run is refused untouched." };

    /// <summary>With --force, discards the run in <paramref name="runDirectory"/>; --force with --resume is a usage error.</summary>
    public static void DiscardRunIfForced(bool force, bool resume, string runDirectory)
    {
        if (!force)
        {
            return;
        }
        if (resume)
        {
            throw new ArgumentException("--force discards the run and --resume continues it: give one of them");
        }
        TrainingLoop.Discard(runDirectory);
    }
}
