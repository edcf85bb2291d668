// Admission under load: a request is stamped when it arrives, waits in a bounded queue for one of a fixed number of
// slots (ASP.NET Core's concurrency limiter), is shed with 429 and Retry-After when the queue is full, and with 503 when
// its wait outlasted the deadline, so an overloaded server spends its cores only on answers someone still waits for.
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Lodestar.Serving.Http;

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

    /// <summary>Endpoint filter: a request that reached its slot after the deadline is answered 503 without being computed.</summary>
    public static EndpointFilterDelegate Deadline(ServingOptions options, ServingMetrics metrics, EndpointFilterDelegate next) => async invocation =>
    {
        var waited = WaitedMilliseconds(invocation.HttpContext);
        if (waited <= options.DeadlineMilliseconds)
        {
            return await next(invocation).ConfigureAwait(false);
        }
        metrics.Shed("deadline");
        return ApiProblems.DeadlinePassed(waited, options.DeadlineMilliseconds);
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
