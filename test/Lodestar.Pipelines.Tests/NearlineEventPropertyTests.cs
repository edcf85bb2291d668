// Properties of the event line over generated records (CsCheck): any post creation or impression event written as a
// line is read back as the same event, and any line at all is an event or a message, never an exception.
using System.Text.Json;
using CsCheck;
using Lodestar.Data.Schema;
using Lodestar.Pipelines.Events;
using Lodestar.TestSupport;

namespace Lodestar.Pipelines.Tests;

public sealed class NearlineEventPropertyTests
{
    [Fact]
    public void AnEventWrittenAsALineIsReadBackTheSame()
    {
        var events = Gen.OneOf(RecordGens.Posts.Select(NearlineEvent.Created), RecordGens.Impressions.Select(NearlineEvent.Shown));
        events.Sample(evt =>
        {
            var line = evt.ToJson();
            var parsed = NearlineEvent.TryParse(line, out var error);
            Assert.True(parsed is not null, error);
            Assert.Equal((evt.Id, evt.Kind, evt.Time, evt.Day), (parsed.Id, parsed.Kind, parsed.Time, parsed.Day));
            Assert.Equal(line, parsed.ToJson());
        }, seed: RecordGens.Seed, iter: 500, threads: 1);
    }

    [Fact]
    public void AnyLineIsAnEventOrAMessage()
    {
        var valid = NearlineEvent.Created(new Post(7, 3, null, [new TopicWeight("careers", 0.5f)], PostFormat.Text, "Hiring!", 1767571200, 0)).ToJson();
        var mutated = Gen.Select(Gen.Int[0, valid.Length - 1].Array[1, 4], Gen.Char.Array[4], (at, chars) =>
        {
            var copy = valid.ToCharArray();
            for (var i = 0; i < at.Length; i++)
            {
                copy[at[i]] = chars[i];
            }
            return new string(copy);
        });
        Gen.OneOf(mutated, Gen.String).Sample(line =>
        {
            if (NearlineEvent.TryParse(line, out var error) is { } parsed)
            {
                _ = JsonSerializer.Serialize(parsed.ToJson());
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(error), "refused without a message");
            }
        }, seed: RecordGens.Seed, iter: 3000, threads: 1);
    }
}
