// Admission under load: a request is stamped when it arrives, waits in a bounded queue for one of a fixed number of
// slots (ASP.NET Core's concurrency limiter), is shed with 429 and Retry-After when the queue is full, and with 503 when
// its wait outlasted the deadline (the endpoint's own when it names one), so an overloaded server spends its cores only
// on answers someone still waits for.
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Lodestar.Serving.Http;

/// <summary>Endpoint metadata: the deadline of this endpoint's requests, instead of the server's.</summary>
public sealed record Deadline(int Milliseconds);

public static class RequestAdmission
{
    /// <summary>The rate-limiting policy every /v1 endpoint requires.</summary>
    public const string Policy = "slots";

    private const string ArrivalKey = "lodestar.arrival";

    /// <summary>Middleware: stamps the request's arrival before it queues for a slot.</summary>
    public static Task StampArrival(HttpContext context, RequestDelegate next)
    {
        context.Items[ArrivalKey] = Stopwatch.GetTimestamp();
        return next(context);
    }

    /// <summary>Milliseconds since the request arrived.</summary>
    public static double WaitedMilliseconds(HttpContext context) =>
        context.Items.TryGetValue(ArrivalKey, out var stamp) && stamp is long arrival ? Stopwatch.GetElapsedTime(arrival).TotalMilliseconds : 0;

    /// <summary>
    /// Endpoint filter around every /v1 request that reached a slot: refused with 503 while the server drains, answered
    /// 503 without being computed when it reached its slot after the deadline, and counted in flight while it runs.
    /// </summary>
    public static EndpointFilterDelegate Admit(ServingHost host, EndpointFilterDelegate next) => async invocation =>
    {
        if (host.IsDraining)
        {
            return new RetryAfter(Results.Problem("the server is draining before it stops or reloads; retry on another replica",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "draining"));
        }
        var waited = WaitedMilliseconds(invocation.HttpContext);
        var deadline = invocation.HttpContext.GetEndpoint()?.Metadata.GetMetadata<Deadline>()?.Milliseconds ?? host.Options.DeadlineMilliseconds;
        if (waited > deadline)
        {
            host.Metrics.Shed("deadline");
            return ApiProblems.DeadlinePassed(waited, deadline);
        }
        host.EnterRequest();
        try
        {
            return await next(invocation).ConfigureAwait(false);
        }
        finally
        {
            host.ExitRequest();
        }
    };

    /// <summary>The answer to a request the full queue turned away: 429, Retry-After, a problem saying so.</summary>
    public static ValueTask Shed(HttpContext context)
    {
        context.RequestServices.GetRequiredService<ServingMetrics>().Shed("queue_full");
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = ApiProblems.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = StatusCodes.Status429TooManyRequests, Title = "overloaded", Detail = "every slot is busy and the queue is full; retry later" },
        });
    }
}
