// POST /v1/events: a batch of nearline events as JSON lines, checked line by line and appended to the pipeline's
// durable log (SQLite, or the Redis event stream) in one transaction, so 202 means the batch will be applied even if the process dies now. A bad line
// refuses the whole batch naming its line and field; a full pipeline queue sheds the batch with 429.
using System.Globalization;
using System.Text;
using Lodestar.Pipelines.Events;
using Lodestar.Pipelines.Store;
using Microsoft.AspNetCore.Http;

namespace Lodestar.Serving.Http;

/// <summary>What an accepted batch became: how many events, and the log sequence number of the last.</summary>
public sealed record EventsAccepted(int Accepted, long LastSeq);

public sealed class EventIngest(ServingOptions options, INearlineDeployment nearline, ServingClock clock, ServingMetrics metrics)
{
    public async Task<IResult> Handle(HttpContext context)
    {
        if (context.Request.ContentLength > options.MaxBodyBytes)
        {
            return TooLarge();
        }
        var body = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (body.Length + read > options.MaxBodyBytes)
            {
                return TooLarge();
            }
            body.Write(buffer, 0, read);
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body.GetBuffer(), 0, (int)body.Length);
        }
        catch (DecoderFallbackException)
        {
            return ApiProblems.BadRequest("body", "body: not UTF-8 text");
        }
        var lines = text.Split('\n');
        var events = new List<(string Id, string Line)>();
        var latest = long.MinValue;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }
            if (events.Count == options.MaxEventsPerRequest)
            {
                return ApiProblems.BadRequest("body", $"body: more than {options.MaxEventsPerRequest} events; send them in several requests");
            }
            if (NearlineEvent.TryParse(line, out var error) is not { } parsed)
            {
                return ApiProblems.BadRequest("body", string.Create(CultureInfo.InvariantCulture, $"body line {i + 1}: {error}"), ("line", i + 1));
            }
            events.Add((parsed.Id, line));
            latest = Math.Max(latest, parsed.Time);
        }
        if (events.Count == 0)
        {
            return ApiProblems.BadRequest("body", "body: no events; send one JSON event a line (kinds: member_joined, profile_changed, post_created, post_deleted, impression)");
        }
        if (nearline.TryAppend(events) is not { } last)
        {
            metrics.Shed("event_queue_full");
            return ApiProblems.Overloaded("the nearline pipeline's event queue is full");
        }
        clock.Advance(latest);
        return Results.Json(new EventsAccepted(events.Count, last), statusCode: StatusCodes.Status202Accepted);
    }

    private IResult TooLarge() => ApiProblems.BadRequest("body", $"body: larger than {options.MaxBodyBytes} bytes; send the events in several requests");
}
