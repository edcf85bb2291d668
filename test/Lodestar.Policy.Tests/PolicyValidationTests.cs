// The default policies load cleanly, and each kind of broken policy fails with a message naming the
// exact line and column of the problem.
using Lodestar.TestSupport;

namespace Lodestar.Policy.Tests;

public class PolicyValidationTests
{
    private static string DefaultJobPolicy => File.ReadAllText(Path.Combine(RepoPaths.Root, "policies", PolicyLoader.JobMatching));

    [Theory]
    [InlineData(PolicyLoader.JobMatching)]
    [InlineData(PolicyLoader.FeedPosts)]
    public void DefaultPoliciesValidateFromFileAndFromTheAssembly(string name)
    {
        var fileText = File.ReadAllText(Path.Combine(RepoPaths.Root, "policies", name));
        Assert.Equal("", string.Join("\n", PolicyLoader.Problems(name, fileText)));
        Assert.Equal(fileText, PolicyLoader.ReadEmbeddedText(name));
    }

    [Fact]
    public void DefaultJobPolicyHasSixWeightedDimensionsAndAHardRequirementGate()
    {
        var policy = PolicyLoader.LoadJobPolicy();
        Assert.Equal(6, policy.DimensionCount);
        Assert.Contains(policy.Document.Overall.Gates, g => g.When.Text.Contains("hard_requirements", StringComparison.Ordinal) && g.Cap == 1);
        Assert.StartsWith("job-matching@1.0.0#", policy.Document.VersionKey, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownFieldIsReportedAtItsKey()
    {
        var broken = DefaultJobPolicy.Replace("    name: Skills match\n", "    name: Skills match\n    colour: blue\n", StringComparison.Ordinal);
        var problem = Assert.Single(PolicyLoader.Problems("p.yaml", broken));
        Assert.Contains("unknown field 'colour' in dimension 'skills'", problem.Message, StringComparison.Ordinal);
        Assert.Equal(LineOf(broken, "    colour: blue"), problem.Mark.Line);
        Assert.Equal(5, problem.Mark.Column);
    }

    [Fact]
    public void ADimensionDefinedTwiceIsAProblemNotACrash()
    {
        // The compiler maps dimension ids to scores; a second 'location_remote' must not stop it before the validator reports it.
        var twice = DefaultJobPolicy.Replace("  - id: industry_domain\n", "  - id: location_remote\n", StringComparison.Ordinal);
        var problems = PolicyLoader.Problems("p.yaml", twice);
        Assert.Contains(problems, p => p.Message.Contains("is defined twice", StringComparison.Ordinal) && p.Message.Contains("location_remote", StringComparison.Ordinal));
    }

    [Fact]
    public void YamlThatStopsTheParserIsAProblemNotACrash()
    {
        // Inputs on which YamlDotNet throws an ArgumentException with no position ("the current event is of an unsupported type").
        var files = Directory.GetFiles(RepoPaths.Golden(Path.Combine("fuzz", "policy-yaml")));
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            Assert.NotEmpty(PolicyLoader.Problems(Path.GetFileName(file), File.ReadAllText(file)));
        }
    }

    [Fact]
    public void BadWeightsAreReported()
    {
        var negative = DefaultJobPolicy.Replace("    skills: 0.30", "    skills: -0.30", StringComparison.Ordinal);
        var problems = PolicyLoader.Problems("p.yaml", negative);
        Assert.Contains(problems, p => p.Message.Contains("bad weight -0.3 for 'skills'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.Contains("sum to 0.4, not 1", StringComparison.Ordinal));
        Assert.All(problems, p => Assert.Equal(LineOf(negative, "    skills: -0.30"), p.Mark.Line));

        var notANumber = DefaultJobPolicy.Replace("    skills: 0.30", "    skills: lots", StringComparison.Ordinal);
        var problems2 = PolicyLoader.Problems("p.yaml", notANumber).Select(p => p.ToString());
        Assert.Contains("p.yaml:" + LineOf(notANumber, "    skills: lots") + ":13: the weight of 'skills' must be a number, not 'lots'", problems2);
    }

    [Fact]
    public void MissingScaleIsReportedAtTheDimension()
    {
        var lines = DefaultJobPolicy.Split('\n').ToList();
        var start = lines.IndexOf("  - id: seniority_fit");
        var scaleAt = lines.FindIndex(start, l => l == "    scale:");
        lines.RemoveRange(scaleAt, 9);
        var problem = Assert.Single(PolicyLoader.Problems("p.yaml", string.Join('\n', lines)));
        Assert.Equal("dimension 'seniority_fit' is missing the required field 'scale'", problem.Message);
        Assert.Equal(new SourceMark(start + 1, 5), problem.Mark);
    }

    [Fact]
    public void ScaleWithoutALevelDescriptionIsReported()
    {
        var broken = DefaultJobPolicy.Replace("        2: About half of the required skills are present; the member could grow into the role.\n", "", StringComparison.Ordinal);
        var problem = Assert.Single(PolicyLoader.Problems("p.yaml", broken));
        Assert.Contains("level 2 has no description", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForbiddenAttributeInAnExpressionIsReportedAtItsColumn()
    {
        const string original = "    skills: 0.30";
        var text = DefaultJobPolicy.Replace(
            "      score: if(missing(member.qualifications, job.hard_requirements) == 0, 4,",
            "      score: if(member.age_band > 3, 0, 4) + 0 * if(missing(member.qualifications, job.hard_requirements) == 0, 4,",
            StringComparison.Ordinal);
        Assert.Contains(original, text, StringComparison.Ordinal);
        var problem = Assert.Single(PolicyLoader.Problems("p.yaml", text));
        Assert.Contains("'member.age_band' uses the forbidden attribute 'age'", problem.Message, StringComparison.Ordinal);
        var line = LineOf(text, "      score: if(member.age_band");
        Assert.Equal(new SourceMark(line, 17), problem.Mark);
    }

    [Fact]
    public void RemovingAForbiddenAttributeFromTheListIsReported()
    {
        var broken = DefaultJobPolicy.Replace(" marital_status,", "", StringComparison.Ordinal);
        var problem = Assert.Single(PolicyLoader.Problems("p.yaml", broken));
        Assert.EndsWith("missing: marital_status", problem.Message, StringComparison.Ordinal);
        Assert.Equal(LineOf(broken, "  ["), problem.Mark.Line);
    }

    [Fact]
    public void ExpressionErrorsInsideBlockScalarsPointAtTheRightLine()
    {
        var broken = DefaultJobPolicy.Replace("          if(job.seniority - member.seniority == 1, 3,", "          if(job.senority - member.seniority == 1, 3,", StringComparison.Ordinal);
        var problem = Assert.Single(PolicyLoader.Problems("p.yaml", broken));
        Assert.StartsWith("unknown field 'job.senority'", problem.Message, StringComparison.Ordinal);
        Assert.Equal(new SourceMark(LineOf(broken, "          if(job.senority"), 14), problem.Mark);
    }

    [Fact]
    public void YamlSyntaxErrorsCarryTheirPosition()
    {
        var problem = Assert.Single(PolicyLoader.Problems("p.yaml", "policy: x\nversion: [1\n"));
        Assert.StartsWith("YAML syntax", problem.Message, StringComparison.Ordinal);
        Assert.True(problem.Mark.Line >= 2);
    }

    [Fact]
    public void AnOpenFlowCollectionFollowedByAMappingIsASyntaxProblemWithItsPlace()
    {
        var problem = Assert.Single(PolicyLoader.Problems("p.yaml", "policy: [a\nb: c\n"));
        Assert.StartsWith("YAML syntax: the YAML parser stopped", problem.Message, StringComparison.Ordinal);
        Assert.Equal(1, problem.Mark.Line);
    }

    [Fact]
    public void LoadingABrokenPolicyThrowsWithEveryProblem()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lodestar-policy-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, DefaultJobPolicy.Replace("    skills: 0.30", "    skils: 0.30", StringComparison.Ordinal));
        try
        {
            var ex = Assert.Throws<PolicyException>(() => PolicyLoader.LoadJobPolicy(path));
            Assert.Contains(ex.Problems, p => p.Message.Contains("weight for unknown dimension 'skils'", StringComparison.Ordinal));
            Assert.Contains(ex.Problems, p => p.Message.Contains("dimension 'skills' has no weight", StringComparison.Ordinal));
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static int LineOf(string text, string line) => text.Split('\n').ToList().FindIndex(l => l.StartsWith(line, StringComparison.Ordinal)) + 1;
}
