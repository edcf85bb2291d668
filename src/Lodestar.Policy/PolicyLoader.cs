// Loads policies from files or from the defaults embedded in this assembly, running every check
// (YAML shape, meaning, expressions) and reporting all problems at once with line and column.
using System.Reflection;
using Lodestar.Data.Schema;

namespace Lodestar.Policy;

public static class PolicyLoader
{
    /// <summary>The default job-matching policy (policies/job-matching.yaml).</summary>
    public const string JobMatching = "job-matching.yaml";

    /// <summary>The default feed-post policy (policies/feed-posts.yaml).</summary>
    public const string FeedPosts = "feed-posts.yaml";

    private const string ResourcePrefix = "Lodestar.Policy.policies.";

    /// <summary>Attributes every policy must forbid (it may add more).</summary>
    public static IReadOnlyList<string> RequiredForbiddenAttributes => Text.ForbiddenAttributes.Default;

    /// <summary>The names of the embedded default policies.</summary>
    public static IEnumerable<string> EmbeddedNames =>
        typeof(PolicyLoader).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..]);

    public static string ReadEmbeddedText(string name)
    {
        using var stream = typeof(PolicyLoader).Assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new FileNotFoundException($"no embedded policy '{name}' (embedded: {string.Join(", ", EmbeddedNames)})");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Every problem of a policy text: YAML shape, meaning, and expressions compiled for its kind.</summary>
    public static IReadOnlyList<PolicyProblem> Problems(string file, string text)
    {
        var (document, problems) = PolicyYamlReader.Read(file, text);
        var all = problems.ToList();
        if (document is null)
        {
            return all;
        }
        all.AddRange(PolicyValidator.Validate(document, RequiredForbiddenAttributes));
        try
        {
            _ = document.Kind switch
            {
                "member_post" => (object)CompiledPolicy<Member, Post>.Compile(document, PairFields.MemberPost),
                "member_job" => CompiledPolicy<Member, Job>.Compile(document, PairFields.MemberJob),
                _ => null,
            };
        }
        catch (PolicyException ex)
        {
            all.AddRange(ex.Problems);
        }
        catch (KeyNotFoundException)
        {
            // A dimension without a weight: already reported by the validator.
        }
        return all.OrderBy(p => p.Mark.Line).ThenBy(p => p.Mark.Column).ToList();
    }

    /// <summary>Loads and compiles a member–job policy; <paramref name="pathOrName"/> is a file or an embedded default's name.</summary>
    public static CompiledPolicy<Member, Job> LoadJobPolicy(string pathOrName = JobMatching) => Load(pathOrName, "member_job", PairFields.MemberJob);

    public static CompiledPolicy<Member, Post> LoadPostPolicy(string pathOrName = FeedPosts) => Load(pathOrName, "member_post", PairFields.MemberPost);

    private static CompiledPolicy<TMember, TItem> Load<TMember, TItem>(string pathOrName, string kind, Expressions.PairFieldCatalog<TMember, TItem> catalog)
    {
        var (file, text) = File.Exists(pathOrName) ? (pathOrName, File.ReadAllText(pathOrName))
            : EmbeddedNames.Contains(pathOrName, StringComparer.Ordinal) ? ("embedded:" + pathOrName, ReadEmbeddedText(pathOrName))
            : throw new FileNotFoundException($"policy '{pathOrName}' is neither a file nor an embedded policy ({string.Join(", ", EmbeddedNames)})");
        var problems = Problems(file, text);
        if (problems.Count > 0)
        {
            throw new PolicyException(problems);
        }
        var document = PolicyYamlReader.Read(file, text).Document!;
        if (document.Kind != kind)
        {
            throw new PolicyException([new PolicyProblem(file, new SourceMark(1, 1), $"this policy judges '{document.Kind}' pairs, but '{kind}' pairs are needed here")]);
        }
        return CompiledPolicy<TMember, TItem>.Compile(document, catalog);
    }
}
