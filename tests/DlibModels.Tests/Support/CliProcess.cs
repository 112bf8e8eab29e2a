using System.Diagnostics;

namespace DlibModels.Tests.Support;

/// <summary>Runs the CLI (<c>dotnet dlib-models.dll</c>, built beside the tests) as a child process.</summary>
internal static class CliProcess
{
    /// <summary>Runs the CLI with <paramref name="args"/> and returns its exit code and both output streams.</summary>
    public static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        (int code, string stdout, string stderr, _) = RunMeasured(args);
        return (code, stdout, stderr);
    }

    /// <summary>Starts the CLI with stdout and stderr redirected and returns the running process (the caller disposes it).</summary>
    public static Process Start(string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "dlib-models.dll"));
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
    }

    /// <summary>
    /// Runs the CLI like <see cref="Run"/> and also reports its peak resident set in bytes, the
    /// kernel's high-water mark (<c>VmHWM</c> in <c>/proc/PID/status</c>) read until the process
    /// exits (0 where /proc is not available).
    /// </summary>
    public static (int Code, string Stdout, string Stderr, long PeakRssBytes) RunMeasured(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "dlib-models.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process p = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        Task<string> err = p.StandardError.ReadToEndAsync();
        Task<string> output = p.StandardOutput.ReadToEndAsync();
        string status = $"/proc/{p.Id}/status";
        long peak = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (!p.WaitForExit(TimeSpan.FromMilliseconds(20)))
        {
            peak = Math.Max(peak, ReadHighWaterMark(status));
            if (DateTime.UtcNow > deadline)
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"dlib-models {string.Join(' ', args)} did not finish");
            }
        }

        return (p.ExitCode, output.Result, err.Result, peak);
    }

    private static long ReadHighWaterMark(string statusFile)
    {
        try
        {
            foreach (string line in File.ReadLines(statusFile))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    string kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // The process has just exited.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return 0;
    }
}
