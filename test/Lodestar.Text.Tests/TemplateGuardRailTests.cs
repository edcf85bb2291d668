// Guard rails: templates that read a protected attribute are rejected naming the template, line and
// field; other template mistakes fail at load with the same precision.
using Lodestar.Text.Prompts;

namespace Lodestar.Text.Tests;

public class TemplateGuardRailTests
{
    [Theory]
    [InlineData("member.age", "age")]
    [InlineData("member.gender_identity", "gender")]
    [InlineData("member.dateOfBirth", "date_of_birth")]
    [InlineData("member.marital-status", "marital_status")]
    [InlineData("member.Religion", "religion")]
    [InlineData("member.national_origin", "national_origin")]
    public void ForbiddenSourcesAreRejectedWithTemplateLineAndField(string source, string term)
    {
        var yaml = $"template: sneaky\nkind: member\nbudget: 64\nfields:\n  - name: headline\n    source: member.headline\n    format: text\n    budget: 20\n  - name: extra\n    source: {source}\n    format: category\n    budget: 8\n";
        var error = Assert.Throws<PromptTemplateException>(() => TemplateYamlReader.Parse(yaml, "sneaky.yaml"));
        Assert.Equal(10, error.Line);
        Assert.Equal("extra", error.Field);
        Assert.Contains("template sneaky.yaml, line 10, field 'extra'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{term}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOpenFlowCollectionFollowedByAMappingNamesTheTemplateAndLine()
    {
        var error = Assert.Throws<PromptTemplateException>(() => TemplateYamlReader.Parse("template: [a\nkind: member\n", "open.yaml"));
        Assert.StartsWith("template open.yaml, line 1: not valid YAML: the YAML parser stopped", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForbiddenFieldNamesAreRejectedToo()
    {
        const string yaml = "template: t\nkind: member\nbudget: 64\nfields:\n  - { name: ethnicity_guess, source: member.headline, format: text, budget: 20 }\n";
        var error = Assert.Throws<PromptTemplateException>(() => TemplateYamlReader.Parse(yaml, "t.yaml"));
        Assert.Equal(5, error.Line);
        Assert.Contains("ethnicity", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("language", null)]
    [InlineData("page_views", null)]
    [InlineData("member.years_of_experience", null)]
    [InlineData("member.average_age", "age")]
    [InlineData("disabilityStatus", "disability")]
    [InlineData("is_pregnant", "pregnant")]
    public void MatchingIsWordByWord(string attribute, string? expected) =>
        Assert.Equal(expected, ForbiddenAttributes.FindIn(attribute));

    [Fact]
    public void BuiltInTemplatesPassTheGuardRails()
    {
        var library = PromptLibrary.LoadBuiltIn();
        Assert.Equal(["history", "job", "member", "pair", "post", "post_raw"], library.Entries.Select(e => e.Template.Name));
        foreach (var field in library.Entries.SelectMany(e => e.Template.Fields))
        {
            Assert.Null(ForbiddenAttributes.FindIn(field.Name));
            Assert.Null(ForbiddenAttributes.FindIn(field.Source));
        }
    }

    [Theory]
    [InlineData("  - { name: x, source: member.nope, format: text, budget: 9 }", "unknown source 'member.nope'")]
    [InlineData("  - { name: x, source: job.title, format: text, budget: 9 }", "cannot read 'job.title'")]
    [InlineData("  - { name: x, source: member.skills, format: percentile, budget: 9 }", "does not fit 'member.skills'")]
    [InlineData("  - { name: x, source: member.skills, format: list, budget: 9, colour: red }", "unknown key 'colour'")]
    [InlineData("  - { name: x, source: member.skills, format: fancy, budget: 9 }", "format 'fancy' is not one of")]
    [InlineData("  - { name: X-y, source: member.skills, format: list, budget: 9 }", "field names must be")]
    [InlineData("  - { name: x, source: member.skills, format: list, budget: 0 }", "budget '0' must be an integer")]
    public void MistakesAreReportedWithTheirLine(string fieldLine, string expected)
    {
        var yaml = "template: t\nkind: member\nbudget: 64\nfields:\n" + fieldLine + "\n";
        var error = Assert.Throws<PromptTemplateException>(() => TemplateYamlReader.Parse(yaml, "t.yaml"));
        Assert.Equal(5, error.Line);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
