// Nothing a client can get from the service names or carries a protected attribute: every property name of every
// answer (feeds, job matches, members, the member list, posts, event receipts, problems, the OpenAPI document) is checked against
// the forbidden-attribute list, and no string value equals the member's audited gender or age band from the world's
// audit file, which no model and no endpoint reads.
using System.Text;
using System.Text.Json;
using Lodestar.Data.GroundTruth;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Pipelines.Events;
using Lodestar.Text;

namespace Lodestar.Serving.Tests;

public sealed class ProtectedAttributeTests(ServingWorld world) : IClassFixture<ServingWorld>
{
    private static void Walk(JsonElement element, string path, List<string> names, List<(string Path, string Value)> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    names.Add($"{path}.{property.Name}");
                    Walk(property.Value, $"{path}.{property.Name}", names, values);
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, $"{path}[{i++}]", names, values);
                }
                break;
            case JsonValueKind.String:
                values.Add((path, element.GetString()!));
                break;
        }
    }

    [Fact]
    public async Task No_answer_names_or_carries_a_protected_attribute()
    {
        var audit = JsonlReader.Read(Path.Combine(world.Directory, "world", DataFiles.GroundTruthDirectory, TruthFiles.Audit), TruthJsonContext.Default.MemberAudit).ToDictionary(a => a.MemberId);
        var members = world.Log.Members.Order().Take(5).ToList();
        var answers = new List<(string Source, JsonElement Body, long? Member)>();
        async Task Add(string path, long? member = null)
        {
            var text = await world.Client.GetStringAsync(path);
            answers.Add((path, JsonDocument.Parse(text).RootElement.Clone(), member));
        }
        foreach (var member in members)
        {
            await Add($"/v1/members/{member}/feed?limit=50", member);
            await Add($"/v1/members/{member}/jobs?limit=50", member);
            await Add($"/v1/members/{member}", member);
        }
        await Add("/v1/members?limit=50");
        var post = answers[0].Body.GetProperty("items")[0].GetProperty("post_id").GetInt64();
        await Add($"/v1/posts/{post}");
        await Add("/openapi/v1.json");
        var receipt = await world.Client.PostAsync("/v1/events",
            new StringContent(NearlineEvent.Shown(world.Log.ImpressionsOf(members[0])[0]).ToJson(), Encoding.UTF8, "application/x-ndjson"));
        answers.Add(("POST /v1/events", JsonDocument.Parse(await receipt.Content.ReadAsStringAsync()).RootElement.Clone(), null));
        var problem = await world.Client.GetAsync("/v1/members/x/feed");
        answers.Add(("problem", JsonDocument.Parse(await problem.Content.ReadAsStringAsync()).RootElement.Clone(), null));

        foreach (var (source, body, member) in answers)
        {
            var names = new List<string>();
            var values = new List<(string, string)>();
            Walk(body, "$", names, values);
            Assert.NotEmpty(names);
            foreach (var name in names)
            {
                // The OpenAPI document's own keywords (e.g. "$ref") are not answer fields; its schema property names are.
                Assert.True(ForbiddenAttributes.FindIn(name[(name.LastIndexOf('.') + 1)..]) is null, $"{source}: {name} names a protected attribute");
            }
            if (member is { } id)
            {
                var protectedValues = new[] { audit[id].Gender, audit[id].AgeBand };
                var leaked = values.Where(v => protectedValues.Contains(v.Item2, StringComparer.OrdinalIgnoreCase)).ToList();
                Assert.True(leaked.Count == 0, $"{source}: {string.Join(", ", leaked.Select(l => $"{l.Item1} = {l.Item2}"))} carries the member's audited attribute");
            }
        }
    }
}
