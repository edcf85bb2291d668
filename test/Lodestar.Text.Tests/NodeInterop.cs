// Runs Hugging Face's JavaScript tokenizer (@huggingface/tokenizers, installed from npm into the git-ignored
// tools/tokenizer-interop/node_modules) so tests can compare its ids with Lodestar's on the same tokenizer.json.
using System.Diagnostics;
using System.Text.Json;
using Lodestar.TestSupport;

namespace Lodestar.Text.Tests;

internal static class NodeInterop
{
    private static readonly Lazy<string?> Unavailable = new(Install);

    public static string ToolDirectory => Path.Combine(RepoPaths.Root, "tools", "tokenizer-interop");

    /// <summary>Why the JavaScript tokenizer cannot run here, or null once it is installed.</summary>
    public static string? WhyUnavailable => Unavailable.Value;

    /// <summary>Encodes <paramref name="texts"/> with the tokenizer.json at <paramref name="tokenizerPath"/>; returns ids and decoded texts.</summary>
    public static (int[][] Ids, string[] Decoded) Encode(string tokenizerPath, IReadOnlyList<string> texts)
    {
        var textsPath = Path.Combine(Path.GetTempPath(), $"lodestar-interop-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        File.WriteAllText(textsPath, JsonSerializer.Serialize(texts));
        try
        {
            var (exit, output, error) = Run("node", ["encode.mjs", tokenizerPath, textsPath], TimeSpan.FromSeconds(60));
            if (exit != 0)
            {
                throw new InvalidOperationException($"node encode.mjs failed ({exit}): {error}");
            }
            using var document = JsonDocument.Parse(output);
            var ids = document.RootElement.GetProperty("ids").EnumerateArray().Select(row => row.EnumerateArray().Select(id => id.GetInt32()).ToArray()).ToArray();
            var decoded = document.RootElement.GetProperty("decoded").EnumerateArray().Select(text => text.GetString()!).ToArray();
            return (ids, decoded);
        }
        finally
        {
            File.Delete(textsPath);
        }
    }

    private static string? Install()
    {
        if (File.Exists(Path.Combine(ToolDirectory, "node_modules", "@huggingface", "tokenizers", "package.json")))
        {
            return null;
        }
        try
        {
            var (exit, _, error) = Run("npm", ["install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(3));
            return exit == 0 ? null : $"npm install of @huggingface/tokenizers failed (is the npm registry reachable?): {error.Trim()}";
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or TimeoutException)
        {
            return $"node/npm cannot run here: {ex.Message}";
        }
    }

    private static (int Exit, string Output, string Error) Run(string program, string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = ToolDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {timeout}");
        }
        return (process.ExitCode, output.Result, error.Result);
    }
}

/// <summary>A fact that needs node and @huggingface/tokenizers; skipped with the reason when npm cannot install it.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NodeInteropFactAttribute : FactAttribute
{
    public NodeInteropFactAttribute()
    {
        if (NodeInterop.WhyUnavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
