// Operator endpoints behind an API key (X-Api-Key, compared in constant time): reload the models (the new set is
// loaded beside the old and swapped in one reference exchange, so no request fails or mixes two sets), and drain
// (readiness goes to 503 so a balancer stops sending, new /v1 requests are refused, the ones in flight finish).
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lodestar.Serving.Http;

/// <summary>What a reload did: the models directory now in service, the one it replaced, how long loading took.</summary>
public sealed record ReloadAnswer(string Models, string Replaced, double LoadSeconds);

/// <summary>What a drain did: the /v1 requests in flight when it began, and how long they took to finish.</summary>
public sealed record DrainAnswer(int InFlightAtStart, double Seconds, bool Draining);

public static class AdminEndpoints
{
    public const string KeyHeader = "X-Api-Key";

    public static void Map(IEndpointRouteBuilder app, ServingHost host)
    {
        var admin = app.MapGroup("/admin").AddEndpointFilter(async (invocation, next) =>
            Authorised(invocation.HttpContext, host.Options.AdminKey) is { } refusal ? refusal : await next(invocation).ConfigureAwait(false));

        admin.MapPost("/reload", (string? models) =>
        {
            try
            {
                return Results.Json(host.Reload(models));
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException)
            {
                return Results.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict, title: "models not reloaded");
            }
        }).WithName("Reload").WithSummary("Load the models directory (default: the one in service) beside the current set and swap it in.");

        admin.MapPost("/drain", async (CancellationToken cancel) => Results.Json(await host.DrainAsync(cancel).ConfigureAwait(false)))
            .WithName("Drain").WithSummary("Stop admitting /v1 requests (readyz 503) and wait for those in flight.");

        admin.MapDelete("/drain", () =>
        {
            host.Undrain();
            return Results.Json(new DrainAnswer(0, 0, Draining: false));
        }).WithName("Undrain").WithSummary("Admit /v1 requests again.");
    }

    private static IResult? Authorised(HttpContext context, string? key)
    {
        if (key is null)
        {
            return Results.Problem("admin endpoints are disabled: start the server with an admin key", statusCode: StatusCodes.Status401Unauthorized, title: "unauthorised");
        }
        var given = context.Request.Headers[KeyHeader].ToString();
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(key))
            ? null
            : Results.Problem($"the {KeyHeader} header is missing or wrong", statusCode: StatusCodes.Status401Unauthorized, title: "unauthorised");
    }

    /// <summary>Seconds since <paramref name="start"/> (a Stopwatch timestamp).</summary>
    internal static double Since(long start) => Stopwatch.GetElapsedTime(start).TotalSeconds;
}
