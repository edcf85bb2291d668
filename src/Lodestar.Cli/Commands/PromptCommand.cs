// `lodestar prompt render|fit`: shows exactly what a model sees for a member, job, post, member–job pair
// or member history (with token counts per field), and fits the percentile distributions templates store.
using System.CommandLine;
using Lodestar.Text.Prompts;
using Lodestar.Text.Tokenization;
using Spectre.Console;

namespace Lodestar.Cli;

public static class PromptCommand
{
    public static Command Create()
    {
        var command = new Command("prompt", "Render prompts from a world directory and fit the percentile buckets templates use.");
        command.Subcommands.Add(CreateRender());
        command.Subcommands.Add(CreateFit());
        return command;
    }

    private static Command CreateRender()
    {
        var world = WorldOption();
        var tokenizer = new Option<FileInfo>("--tokenizer") { Description = "tokenizer.json (byte-level BPE, from `lodestar tokenizer train`) or vocab.txt (WordPiece, e.g. from `lodestar model extract`) used to count and budget tokens.", Required = true };
        var templates = TemplatesOption("Directory of templates (*.yaml with name.percentiles.json) overriding the built-in ones.");
        var member = new Option<long?>("--member") { Description = "Render the member template for this member id." };
        var job = new Option<long?>("--job") { Description = "Render the job template for this job id." };
        var post = new Option<long?>("--post") { Description = "Render the post template for this post id." };
        var pair = new Option<string?>("--pair") { Description = "Render the pair template for MEMBER,JOB ids." };
        var history = new Option<bool>("--history") { Description = "With --member: render the member's chronological engagement history." };
        var historyMode = new Option<HistoryMode?>("--history-mode") { Description = "Override the template: positives (engaged items only) or all (every impression)." };
        var templateName = new Option<string?>("--template") { Description = "Template name to use instead of the default for the subject." };
        var json = CliJson.CreateOption();
        var command = TokenizerCommand.WithOptions(
            new Command("render", "Show the exact prompt a model sees, with token counts per field."),
            world, tokenizer, templates, member, job, post, pair, history, historyMode, templateName, json);
        command.SetAction(parse =>
        {
            var (kind, firstId, secondId) = Subject(parse.GetValue(member), parse.GetValue(job), parse.GetValue(post), parse.GetValue(pair), parse.GetValue(history));
            var library = PromptLibrary.Load(parse.GetValue(templates)?.FullName);
            var entry = library.Get(parse.GetValue(templateName) ?? kind);
            if (!string.Equals(entry.Template.Kind.ToString(), kind, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"template '{entry.Template.Name}' renders a {entry.Template.Kind.ToString().ToLowerInvariant()}, not a {kind}");
            }
            var loaded = PromptTokenizerFrom(parse.GetValue(tokenizer)!);
            var directory = parse.GetValue(world)!.FullName;
            var snapshot = WorldSnapshot.Load(directory, kind == "history" ? new HashSet<long> { firstId } : null);
            if (entry.Percentiles is null && entry.Template.Fields.Any(f => f.Format == FieldFormat.Percentile))
            {
                entry = entry with { Percentiles = PercentileFitter.Fit(entry.Template, snapshot, directory) };
                Console.Error.WriteLine($"note: percentiles of template '{entry.Template.Name}' fitted on {directory} for this render; store them with `lodestar prompt fit`");
            }
            var subject = kind switch
            {
                "member" => PromptSubjects.ForMember(snapshot, firstId),
                "job" => PromptSubjects.ForJob(snapshot, firstId),
                "post" => PromptSubjects.ForPost(snapshot, firstId),
                "pair" => PromptSubjects.ForPair(snapshot, firstId, secondId),
                _ => PromptSubjects.ForHistory(snapshot, firstId, entry.Template.History?.ItemSource ?? "post.text"),
            };
            var rendered = new PromptRenderer(loaded, snapshot.LastDay).Render(entry, subject, parse.GetValue(historyMode));
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(new
                {
                    rendered.Template,
                    rendered.Subject,
                    rendered.Text,
                    rendered.Tokens,
                    rendered.Budget,
                    Fields = rendered.Fields.Select(f => new { f.Name, f.Tokens, f.Truncated, f.Dropped }),
                    rendered.HistoryItemsShown,
                    rendered.HistoryItemsAvailable,
                });
                return 0;
            }
            Console.WriteLine(rendered.Text);
            var table = new Table().AddColumns("field", "tokens", "note");
            foreach (var field in rendered.Fields)
            {
                table.AddRow(field.Name, field.Tokens.ToString(System.Globalization.CultureInfo.InvariantCulture), field.Dropped ? "dropped" : field.Truncated ? "truncated" : field.Tokens == 0 ? "absent" : "");
            }
            table.AddRow("total", $"{rendered.Tokens} / {rendered.Budget}", rendered.HistoryItemsAvailable > 0 ? $"history: {rendered.HistoryItemsShown} of {rendered.HistoryItemsAvailable} items" : "");
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static Command CreateFit()
    {
        var world = WorldOption();
        var templates = TemplatesOption("Directory of templates to fit (default: the built-in ones).");
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory to write the templates and their name.percentiles.json into.", Required = true };
        var json = CliJson.CreateOption();
        var command = TokenizerCommand.WithOptions(
            new Command("fit", "Fit percentile buckets of every template on a world (training data) and store them beside the templates."),
            world, templates, output, json);
        command.SetAction(parse =>
        {
            var directory = parse.GetValue(world)!.FullName;
            var library = PromptLibrary.Load(parse.GetValue(templates)?.FullName);
            var snapshot = WorldSnapshot.Load(directory);
            foreach (var entry in library.Entries)
            {
                if (PercentileFitter.Fit(entry.Template, snapshot, directory) is { } table)
                {
                    library.SetPercentiles(entry.Template.Name, table);
                }
            }
            var destination = parse.GetValue(output)!.FullName;
            library.Save(destination);
            foreach (var entry in library.Entries)
            {
                var fields = entry.Percentiles?.ByField.Count ?? 0;
                if (parse.GetValue(json))
                {
                    CliJson.WriteLine(new { entry.Template.Name, PercentileFields = fields, Directory = destination });
                }
                else
                {
                    Console.WriteLine($"{entry.Template.Name}: {fields} percentile fields fitted -> {destination}");
                }
            }
            return 0;
        });
        return command;
    }

    private static (string Kind, long First, long Second) Subject(long? member, long? job, long? post, string? pair, bool history)
    {
        var given = new[] { member.HasValue, job.HasValue, post.HasValue, pair is not null }.Count(g => g);
        if (given != 1)
        {
            throw new ArgumentException("give exactly one of --member ID, --job ID, --post ID or --pair MEMBER,JOB");
        }
        if (history && !member.HasValue)
        {
            throw new ArgumentException("--history needs --member ID");
        }
        if (member is { } m)
        {
            return (history ? "history" : "member", m, 0);
        }
        if (job is { } j)
        {
            return ("job", j, 0);
        }
        if (post is { } p)
        {
            return ("post", p, 0);
        }
        var ids = pair!.Split(',');
        if (ids.Length != 2 || !long.TryParse(ids[0], out var memberId) || !long.TryParse(ids[1], out var jobId))
        {
            throw new ArgumentException($"--pair '{pair}' must be MEMBER,JOB (two integer ids)");
        }
        return ("pair", memberId, jobId);
    }

    private static Option<DirectoryInfo> WorldOption() =>
        new("--world") { Description = "World directory written by `lodestar world generate`.", Required = true };

    private static Option<DirectoryInfo?> TemplatesOption(string description) => new("--templates") { Description = description };

    // A vocab.txt is a WordPiece vocabulary (one token per line); anything else is read as a tokenizer.json.
    private static IPromptTokenizer PromptTokenizerFrom(FileInfo file) =>
        file.Extension.Equals(".txt", StringComparison.OrdinalIgnoreCase) ? BertWordPiece.Load(file.FullName) : TokenizerJson.Load(file.FullName);
}
