// The HTTP surface: a member's feed, a member, a post, liveness and readiness. Ids and limits are checked here and
// refused with a problem naming the field; the answers are the feed and entity services' records as snake_case JSON.
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lodestar.Serving.Http;

public static class ServingEndpoints
{
    public static void Map(IEndpointRouteBuilder app, ServingHost host)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", () => host.IsReady
            ? Results.Text("ready")
            : Results.Problem("the store is still being loaded", statusCode: StatusCodes.Status503ServiceUnavailable, title: "not ready"));

        app.MapGet("/v1/members/{id}/feed", (string id, string? limit, HttpContext context) =>
        {
            if (!ApiProblems.TryParseId(id, "member", out var memberId, out var problem)
                || !ApiProblems.TryParseLimit(limit, host.Options.DefaultLimit, host.Options.MaxLimit, out var count, out problem))
            {
                return problem!;
            }
            var timer = new StageTimer();
            var answer = host.Feed.Feed(host.Models.Current, memberId, count, timer);
            context.Response.Headers["Server-Timing"] = timer.Header();
            return answer is null ? ApiProblems.NotFound($"member {memberId} is not in the store") : Results.Json(answer);
        });

        app.MapGet("/v1/members/{id}", (string id) =>
        {
            if (!ApiProblems.TryParseId(id, "member", out var memberId, out var problem))
            {
                return problem!;
            }
            return host.Entities.Member(memberId) is { } member ? Results.Json(member) : ApiProblems.NotFound($"member {memberId} is not in the store");
        });

        app.MapGet("/v1/posts/{id}", (string id) =>
        {
            if (!ApiProblems.TryParseId(id, "post", out var postId, out var problem))
            {
                return problem!;
            }
            return host.Entities.Post(postId) is { } post ? Results.Json(post) : ApiProblems.NotFound($"post {postId} is not in the store");
        });
    }
}
