// Runs the lodestar command line as a separate process, as a user or a script would, with its output
// redirected: for tests of what it prints and how it exits.
using System.Diagnostics;

namespace Lodestar.Cli.Tests;

internal static class CliProcess
{
    /// <summary>Runs lodestar.dll with standard output and error redirected, TERM claiming a colour terminal, CI and NO_COLOR unset.</summary>
    private static (int ExitCode, string Output, string Error) Start(string[] arguments)
    {
        var start = StartInfo(arguments);
        start.Environment["TERM"] = "xterm-256color";
        start.Environment.Remove("CI");
        start.Environment.Remove("NO_COLOR");
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), $"lodestar {string.Join(' ', arguments)} did not finish");
        return (process.ExitCode, output, error.Result);
    }

    /// <summary>`dotnet exec lodestar.dll arguments` with standard output and error redirected.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }

    /// <summary>Starts lodestar without waiting, standard output passed line by line to <paramref name="onOutput"/> and standard error dropped, so neither pipe fills.</summary>
    public static Process StartInBackground(IEnumerable<string> arguments, Action<string>? onOutput = null)
    {
        var process = Process.Start(StartInfo(arguments))!;
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                onOutput?.Invoke(line.Data);
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Kills <paramref name="process"/> (and its children) as soon as <paramref name="moment"/> holds, checked every millisecond for up to two minutes; fails when the process ended first.</summary>
    public static void KillWhen(Process process, Func<bool> moment, string endedFirst)
    {
        var clock = Stopwatch.StartNew();
        while (!process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2) && !moment())
        {
            Thread.Sleep(1);
        }
        Assert.False(process.HasExited, endedFirst);
        process.Kill(entireProcessTree: true);
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Runs lodestar and requires exit code 0; returns standard output and error.</summary>
    public static (string Output, string Error) Run(params string[] arguments)
    {
        var (exitCode, output, error) = Start(arguments);
        Assert.True(exitCode == 0, $"lodestar {string.Join(' ', arguments)} exited {exitCode}: {error}");
        return (output, error);
    }

    /// <summary>Runs lodestar and requires exit code 1 (a bad input or failed job); returns standard error.</summary>
    public static string Fail(params string[] arguments)
    {
        var (exitCode, _, error) = Start(arguments);
        Assert.True(exitCode == 1, $"lodestar {string.Join(' ', arguments)} exited {exitCode}, expected 1: {error}");
        return error;
    }
}
