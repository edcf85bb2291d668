// The HTTP surface: a member's feed, a member, a post, event ingestion, liveness and readiness; every /v1 request
// passes admission (a slot, a bounded queue, a deadline). Ids and limits are checked here and
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

        var v1 = app.MapGroup("/v1").RequireRateLimiting(RequestAdmission.Policy)
            .AddEndpointFilterFactory((_, next) => RequestAdmission.Deadline(host.Options, next));

        v1.MapPost("/events", (Delegate)((HttpContext context) => host.Events.Handle(context)));

        v1.MapGet("/members/{id}/feed", (string id, string? limit, HttpContext context) =>
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

        v1.MapGet("/members/{id}", (string id) =>
        {
            if (!ApiProblems.TryParseId(id, "member", out var memberId, out var problem))
            {
                return problem!;
            }
            return host.Entities.Member(memberId) is { } member ? Results.Json(member) : ApiProblems.NotFound($"member {memberId} is not in the store");
        });

        v1.MapGet("/posts/{id}", (string id) =>
        {
            if (!ApiProblems.TryParseId(id, "post", out var postId, out var problem))
            {
                return problem!;
            }
            return host.Entities.Post(postId) is { } post ? Results.Json(post) : ApiProblems.NotFound($"post {postId} is not in the store");
        });
    }
}
