// RFC 7807 problem details for every refusal: a title, the status, a detail naming what was wrong, and for a bad
// request the field at fault, so a client can tell a wrong id from a wrong limit without parsing prose.
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Lodestar.Serving.Http;

public static class ApiProblems
{
    public static IResult BadRequest(string field, string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "invalid request", extensions: new Dictionary<string, object?> { ["field"] = field });

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
