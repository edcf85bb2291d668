// The dependency arrows between src projects point down only, and the README's layout picture is the real graph.
using Lodestar.TestSupport;

namespace Lodestar.Core.Tests.Architecture;

public sealed class ArchitectureTests
{
    private static readonly string Readme = Path.Combine(RepoPaths.Root, "README.md");

    [Fact]
    public void TheReadmePictureShowsExactlyTheProjectReferences()
    {
        var (picture, _) = ProjectGraph.FromReadme(Readme);
        var real = ProjectGraph.FromProjects(RepoPaths.Root);
        Assert.True(real.References.Count >= 10, $"read only {real.References.Count} projects under src/");
        var differences = real.DifferencesFrom(picture);
        Assert.True(differences.Count == 0, "the README's layout picture (the other graph) differs from the .csproj files:\n" + string.Join("\n", differences));
    }

    [Fact]
    public void EveryReferencePointsDown()
    {
        var (_, layers) = ProjectGraph.FromReadme(Readme);
        var violations = ProjectGraph.FromProjects(RepoPaths.Root).Violations(layers);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void AWrongGraphIsCaughtAndEveryBadArrowNamed()
    {
        string[] layers = ["Cli", "Training", "Models", "Kernels", "Core"];
        var graph = Graph(
            ("Cli", ["Training"]),
            ("Training", ["Models", "Cli"]),
            ("Models", ["Kernels", "Training"]),
            ("Kernels", ["Core", "Models"]),
            ("Core", ["Kernels"]),
            ("Index", ["Kernels"]));
        Assert.Equal(
            [
                "Core -> Kernels: Core references nothing of ours",
                "Core -> Kernels: Kernels is not below Core in the layout picture",
                "Index: not in the layout picture (give it a line there)",
                "Kernels -> Models: Models is not below Kernels in the layout picture",
                "Models -> Training: Models never references Training",
                "Models -> Training: Training is not below Models in the layout picture",
                "Training -> Cli: nothing references the command line",
                "Training -> Cli: Cli is not below Training in the layout picture",
            ],
            graph.Violations(layers));
        Assert.Empty(Graph(("Cli", ["Training"]), ("Training", ["Models"]), ("Models", ["Kernels"]), ("Kernels", ["Core"]), ("Core", [])).Violations(layers));
        Assert.Equal(["Features -> Evaluation: models and features run without the trainer, the evaluator and everything above them"],
            Graph(("Evaluation", ["Models"]), ("Features", ["Evaluation", "Models"]), ("Models", [])).Violations(["Features", "Evaluation", "Models"]));
        Assert.Equal(["Index -> Models: the index needs only Kernels and Core"],
            Graph(("Index", ["Models", "Kernels"]), ("Models", ["Kernels"]), ("Kernels", [])).Violations(["Index", "Models", "Kernels"]));
    }

    [Fact]
    public void APictureThatDiffersFromTheProjectsIsCaught()
    {
        var real = Graph(("Models", ["Nn"]), ("Nn", []));
        var picture = Graph(("Models", ["Nn", "Tensors"]), ("Nn", []), ("Tensors", []));
        Assert.Equal(["Models: references Nn here, Nn, Tensors there", "Tensors: only in the other graph"], real.DifferencesFrom(picture));
    }

    private static ProjectGraph Graph(params (string Name, string[] References)[] projects) =>
        new(projects.ToDictionary(p => p.Name, p => (IReadOnlySet<string>)p.References.ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal));
}
