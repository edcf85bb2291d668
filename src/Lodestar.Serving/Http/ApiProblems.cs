// RFC 7807 problem details for every refusal: a title, the status, a detail naming what was wrong, and for a bad
// request the field at fault, so a client can tell a wrong id from a wrong limit without parsing prose.
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Lodestar.Serving.Http;

public static class ApiProblems
{
    /// <summary>Seconds a shed client is told to wait before trying again.</summary>
    public const int RetryAfterSeconds = 1;

    public static IResult BadRequest(string field, string detail, params (string Name, object Value)[] more)
    {
        var extensions = new Dictionary<string, object?> { ["field"] = field };
        foreach (var (name, value) in more)
        {
            extensions[name] = value;
        }
        return Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "invalid request", extensions: extensions);
    }

    /// <summary>429 with Retry-After: the request was shed, not failed.</summary>
    public static IResult Overloaded(string detail) => new RetryAfter(Results.Problem(detail, statusCode: StatusCodes.Status429TooManyRequests, title: "overloaded"));

    /// <summary>503 with Retry-After: the request's deadline passed before it could be computed.</summary>
    public static IResult DeadlinePassed(double waitedMilliseconds, int deadlineMilliseconds) => new RetryAfter(Results.Problem(
        string.Create(CultureInfo.InvariantCulture, $"waited {waitedMilliseconds:F0} ms for a slot, past the {deadlineMilliseconds} ms deadline"),
        statusCode: StatusCodes.Status503ServiceUnavailable, title: "deadline passed"));

    public static IResult NotFound(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "not found");

    /// <summary>The id in a route, or a 400 naming the field when it is not a non-negative integer.</summary>
    public static bool TryParseId(string text, string what, out long id, out IResult? problem)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id))
        {
            problem = null;
            return true;
        }
        problem = BadRequest("id", $"id: \"{Shorten(text)}\" is not a {what} id (a non-negative integer)");
        return false;
    }

    /// <summary>The limit of a query string: absent gives <paramref name="fallback"/>; otherwise an integer in [1, max] or a 400 naming it.</summary>
    public static bool TryParseLimit(string? text, int fallback, int max, out int limit, out IResult? problem)
    {
        problem = null;
        if (text is null)
        {
            limit = fallback;
            return true;
        }
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out limit) && limit >= 1 && limit <= max)
        {
            return true;
        }
        problem = BadRequest("limit", $"limit: \"{Shorten(text)}\" must be an integer in [1, {max}]");
        return false;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}

/// <summary>A result that tells the client when to try again (Retry-After, in seconds).</summary>
public sealed class RetryAfter(IResult inner) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.RetryAfter = ApiProblems.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return inner.ExecuteAsync(httpContext);
    }
}
