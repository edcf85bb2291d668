// The HTTP surface: a member's feed and job matches, a member, a post, event ingestion, liveness and readiness; every /v1 request
// passes admission (a slot, a bounded queue, a deadline). Ids and limits are checked here and
// refused with a problem naming the field; the answers are the feed and entity services' records as snake_case JSON.
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Lodestar.Serving.Explorer;
using Lodestar.Serving.Feed;
using Lodestar.Serving.Jobs;
using Microsoft.AspNetCore.Routing;

namespace Lodestar.Serving.Http;

public static class ServingEndpoints
{
    public static void Map(IEndpointRouteBuilder app, ServingHost host)
    {
        app.MapGet("/", () => Results.Content(ExplorerPage.Html, "text/html; charset=utf-8")).ExcludeFromDescription();
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", () => host.IsReady
            ? Results.Text("ready")
            : Results.Problem(host.IsDraining ? "draining" : "the store is still being loaded", statusCode: StatusCodes.Status503ServiceUnavailable, title: "not ready"));

        var v1 = app.MapGroup("/v1").RequireRateLimiting(RequestAdmission.Policy)
            .AddEndpointFilterFactory((_, next) => RequestAdmission.Admit(host, next));

        v1.MapPost("/events", (Delegate)((HttpContext context) => host.Events.Handle(context)))
            .WithName("PostEvents").WithSummary("Ingest nearline events, one JSON object a line; 202 once durable.")
            .Accepts<string>("application/x-ndjson").Produces<EventsAccepted>(StatusCodes.Status202Accepted).Refusals();

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
            host.Metrics.Record("feed", timer);
            return answer is null ? ApiProblems.NotFound($"member {memberId} is not in the store") : Results.Json(answer);
        }).WithName("GetFeed").WithSummary("A member's feed: retrieved, ranked, each item with its action probabilities and reasons.")
            .Produces<FeedAnswer>().Refusals();

        v1.MapGet("/members/{id}/jobs", (string id, string? limit, HttpContext context) =>
        {
            if (!ApiProblems.TryParseId(id, "member", out var memberId, out var problem)
                || !ApiProblems.TryParseLimit(limit, host.Options.DefaultLimit, host.Options.MaxLimit, out var count, out problem))
            {
                return problem!;
            }
            var timer = new StageTimer();
            var answer = host.Jobs.Jobs(host.Models.Current.Jobs, memberId, count, timer);
            context.Response.Headers["Server-Timing"] = timer.Header();
            host.Metrics.Record("jobs", timer);
            return answer is null ? ApiProblems.NotFound($"member {memberId} is not in the store") : Results.Json(answer);
        }).WithName("GetJobs").WithSummary("A member's job matches: eligible jobs scored by the distilled student, each with the policy's dimension levels in its rubric's words.")
            .WithMetadata(new Deadline(host.Options.JobsDeadlineMilliseconds)).Produces<JobsAnswer>().Refusals();

        v1.MapGet("/members", (string? after, string? limit) =>
        {
            var cursor = 0L;
            if (after is not null && !ApiProblems.TryParseId(after, "member", out cursor, out _))
            {
                return ApiProblems.BadRequest("after", $"after: \"{after}\" is not a member id");
            }
            return ApiProblems.TryParseLimit(limit, host.Options.DefaultLimit, host.Options.MaxLimit, out var count, out var problem)
                ? Results.Json(host.Entities.Members(cursor, count)) : problem!;
        }).WithName("ListMembers").WithSummary("Members by id, a page at a time (after: the previous page's next).")
            .Produces<MemberList>().Refusals();

        v1.MapGet("/members/{id}", (string id) =>
        {
            if (!ApiProblems.TryParseId(id, "member", out var memberId, out var problem))
            {
                return problem!;
            }
            return host.Entities.Member(memberId) is { } member ? Results.Json(member) : ApiProblems.NotFound($"member {memberId} is not in the store");
        }).WithName("GetMember").WithSummary("A member's public profile, totals, newest impressions and current prompt.")
            .Produces<MemberAnswer>().Refusals();

        v1.MapGet("/posts/{id}", (string id) =>
        {
            if (!ApiProblems.TryParseId(id, "post", out var postId, out var problem))
            {
                return problem!;
            }
            return host.Entities.Post(postId) is { } post ? Results.Json(post) : ApiProblems.NotFound($"post {postId} is not in the store");
        }).WithName("GetPost").WithSummary("A post with its counters, whether it is deleted and whether the index holds it.")
            .Produces<PostAnswer>().Refusals();
    }

    /// <summary>The problems every /v1 endpoint may answer with: 400 and 404 (RFC 7807), 429 and 503 when shed.</summary>
    private static RouteHandlerBuilder Refusals(this RouteHandlerBuilder endpoint) => endpoint
        .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
