using System.Diagnostics;

namespace DlibModels.Tests.Support;

/// <summary>Runs the CLI (<c>dotnet dlib-models.dll</c>, built beside the tests) as a child process.</summary>
internal static class CliProcess
{
    /// <summary>Runs the CLI with <paramref name="args"/> and returns its exit code and both output streams.</summary>
    public static (int Code, string Stdout, string Stderr) Run(params string[] args)
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
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"dlib-models {string.Join(' ', args)} did not finish");
        }

        return (p.ExitCode, stdout, err.Result);
    }
}
