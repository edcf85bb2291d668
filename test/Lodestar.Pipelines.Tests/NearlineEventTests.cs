// Events as JSON lines: every kind goes out and comes back whole; a line that is not an event is refused with the
// field it lacks; a world's stream meets every post's creation before anyone is shown it.
using Lodestar.Data.Schema;
using Lodestar.Pipelines.Events;

namespace Lodestar.Pipelines.Tests;

public sealed class NearlineEventTests(NearlineWorld world) : IClassFixture<NearlineWorld>
{
    [Fact]
    public void EveryKindRoundTripsThroughItsJsonLine()
    {
        var member = world.Snapshot.Members.Values.First();
        var post = world.Log.Posts.Values.First();
        var impression = world.Log.ImpressionsOf(world.Log.Members.First())[0];
        NearlineEvent[] events =
        [
            NearlineEvent.Joined(member, 1_767_571_200, 0),
            new("edit:1", NearlineEventKind.ProfileChanged, 1_767_571_300, 0, Member: member with { Headline = "Now a \"data\" person" }),
            NearlineEvent.Created(post),
            NearlineEvent.Shown(impression),
            new("delete:1", NearlineEventKind.PostDeleted, 1_767_571_400, 0, PostId: post.Id),
        ];
        foreach (var evt in events)
        {
            var back = NearlineEvent.TryParse(evt.ToJson(), out var error);
            Assert.True(back is not null, error);
            Assert.Equal(evt.ToJson(), back!.ToJson());
            Assert.Equal(evt.Kind, back.Kind);
        }
    }

    [Theory]
    [InlineData("{not json", "not a valid event")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("{\"kind\":\"impression\",\"time\":1,\"day\":0}", "field \"id\" is missing")]
    [InlineData("{\"id\":\"x:1\",\"kind\":\"comment_posted\",\"time\":1,\"day\":0}", "event x:1: field \"kind\" is \"comment_posted\"")]
    [InlineData("{\"id\":\"x:1\",\"kind\":\"impression\",\"day\":0}", "event x:1: fields \"time\"")]
    [InlineData("{\"id\":\"x:1\",\"kind\":\"impression\",\"time\":1,\"day\":0}", "event x:1: a impression event needs field \"impression\"")]
    [InlineData("{\"id\":\"x:1\",\"kind\":\"post_deleted\",\"time\":1,\"day\":0,\"post_id\":\"seven\"}", "event x:1: field \"post_id\" is not an integer")]
    [InlineData("{\"id\":\"x:1\",\"kind\":\"member_joined\",\"time\":1,\"day\":0,\"member\":{\"id\":5}}", "event x:1: field \"member.headline\" is missing")]
    [InlineData("{\"id\":\"x:1\",\"kind\":\"post_created\",\"time\":1,\"day\":0,\"post\":{\"id\":5,\"text\":\"hi\"}}", "event x:1: field \"post.topics\" is missing")]
    [InlineData("{\"id\":\"x:1\",\"kind\":\"impression\",\"time\":\"noon\",\"day\":0}", "event x:1: fields \"time\"")]
    [InlineData("{\"id\":\"x:1\",\"kind\":\"post_created\",\"time\":1,\"day\":0,\"post\":{\"id\":5,\"text\":\"hi\",\"format\":\"text\",\"time\":1,\"day\":0,\"topics\":[{\"topic\":\"careers\",\"weight\":1e39}]}}",
        "event x:1: field \"post.topics[0].weight\" is not a finite number")]
    [InlineData("{\"id\":\"x:1\",\"kind\":\"member_joined\",\"time\":1,\"day\":0,\"member\":{\"id\":5,\"headline\":\"h\",\"current_title\":\"t\",\"occupation_id\":1,\"seniority\":\"entry\",\"years_of_experience\":1,\"skills\":[],\"industry\":\"i\",\"location\":{\"city\":\"c\",\"region\":\"r\",\"country\":\"ES\"},\"remote_preference\":\"remote\",\"education\":[{\"degree\":\"bachelor\",\"field\":\"f\",\"graduation_year\":2000}],\"work_history\":[],\"credentials\":[],\"work_authorisations\":[],\"activity_level\":\"dormant\",\"join_day\":0}}",
        "event x:1: field \"member.education[0].school\" is missing")]
    public void ALineThatIsNotAnEventIsRefusedNamingWhatIsWrong(string line, string expected)
    {
        Assert.Null(NearlineEvent.TryParse(line, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void AWorldsStreamIsInTimeOrderWithEachPostCreatedBeforeItIsShown()
    {
        var events = world.Events;
        var edits = Lodestar.Data.Storage.JsonlReader.Read(Path.Combine(world.Directory, DataFiles.ProfileChanges), DataJson.Compact.ProfileChange).Count();
        Assert.True(edits > 0, "the world has no profile edits");
        Assert.Equal(world.Snapshot.Members.Count + edits + world.Log.Posts.Count + world.Log.Impressions, events.Count);
        var created = new HashSet<long>();
        var joined = new HashSet<long>();
        for (var i = 0; i < events.Count; i++)
        {
            Assert.True(i == 0 || events[i - 1].Time <= events[i].Time, $"event {i} goes back in time");
            switch (events[i].Kind)
            {
                case NearlineEventKind.PostCreated:
                    created.Add(events[i].Post!.Id);
                    break;
                case NearlineEventKind.MemberJoined:
                    joined.Add(events[i].Member!.Id);
                    break;
                case NearlineEventKind.ProfileChanged:
                    Assert.Contains(events[i].Member!.Id, joined);
                    break;
                case NearlineEventKind.Impression:
                    Assert.Contains(events[i].Impression!.PostId, created);
                    Assert.Contains(events[i].Impression!.MemberId, joined);
                    break;
            }
        }
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
    }
}
