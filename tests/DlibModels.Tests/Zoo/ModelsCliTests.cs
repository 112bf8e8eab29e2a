using System.Diagnostics;
using DlibModels.Tests.Support;
using DlibModels.Zoo;

namespace DlibModels.Tests.Zoo;

/// <summary>The mirror (DLIB_MODELS_DIR) and the <c>dlib-models models</c> command, run as a process.</summary>
[Collection(ModelEnvironmentCollection.Name)]
public sealed class ModelsCliTests
{
    [SkippableFact]
    public async Task MirrorResolvesWithoutNetwork()
    {
        string mirror = Path.GetDirectoryName(TestPaths.Model("mmod_human_face_detector.dat.bz2"))!;
        using var cache = new TempDir();
        using var env = new EnvScope().Set("DLIB_MODELS_DIR", mirror).Set("DLIB_MODELS_CACHE", cache.Path).Set(ModelCatalog.UrlVariable, "http://127.0.0.1:9/unreachable");
        Assert.Equal(Path.Combine(mirror, "mmod_human_face_detector.dat.bz2"), ModelLocator.Resolve("mmod_human_face_detector"));

        using HttpClient client = ZooFiles.Client();
        ModelFetcher fetcher = ModelFetcher.FromEnvironment(client);
        Assert.Equal(cache.Path, fetcher.CacheDir);
        FetchResult r = await fetcher.FetchAsync(ZooFiles.Face);
        Assert.Equal(FetchOutcome.InMirror, r.Outcome);
        Assert.Equal(Path.Combine(mirror, "mmod_human_face_detector.dat.bz2"), r.Path);
        Assert.Empty(Directory.GetFileSystemEntries(cache.Path));

        (int rc, string stdout, _) = await Cli(null, "models", "path", "mmod_human_face_detector");
        Assert.Equal(0, rc);
        Assert.Equal(Path.Combine(mirror, "mmod_human_face_detector.dat.bz2"), stdout.Trim());
    }

    [SkippableFact]
    public async Task FetchVerifyAndPathFromTheCommandLine()
    {
        byte[] face = ZooFiles.FaceBytes();
        using var server = new TestHttpServer();
        server.Files[ZooFiles.Face.FileName] = face;
        using var cache = new TempDir();
        var env = new Dictionary<string, string?> { ["DLIB_MODELS_DIR"] = null, ["DLIB_MODELS_CACHE"] = null, [ModelCatalog.UrlVariable] = server.BaseUrl };

        (int rc, string stdout, string stderr) = await Cli(env, "models", "path", "mmod_human_face_detector", "--cache", cache.Path);
        Assert.Equal(1, rc);
        Assert.Contains($"dlib-models models fetch mmod_human_face_detector --cache {cache.Path}", stderr, StringComparison.Ordinal);

        (rc, stdout, stderr) = await Cli(env, "models", "fetch", "mmod_human_face_detector", "--cache", cache.Path);
        Assert.True(rc == 0, stderr);
        Assert.Contains("SHA-256 OK", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", stderr, StringComparison.Ordinal); // no progress bar when stderr is not a terminal
        string installed = Path.Combine(cache.Path, "mmod_human_face_detector.dat.bz2");
        Assert.Equal(face, File.ReadAllBytes(installed));

        (rc, stdout, _) = await Cli(env, "models", "path", "mmod_human_face_detector", "--cache", cache.Path);
        Assert.Equal(0, rc);
        Assert.Equal(installed, stdout.Trim());

        (rc, stdout, _) = await Cli(env, "models", "list", "--json", "--cache", cache.Path);
        Assert.Equal(0, rc);
        Assert.Equal(ModelCatalog.All.Count, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains($"\"installed\":\"{installed}\"", stdout, StringComparison.Ordinal);

        (rc, stdout, _) = await Cli(env, "models", "verify", "--cache", cache.Path);
        Assert.Equal(0, rc);
        Assert.Contains("OK", stdout, StringComparison.Ordinal);

        byte[] bad = (byte[])face.Clone();
        bad[^10] ^= 1;
        File.WriteAllBytes(installed, bad);
        (rc, stdout, _) = await Cli(env, "models", "verify", "--cache", cache.Path);
        Assert.Equal(1, rc);
        Assert.Contains("MISMATCH", stdout, StringComparison.Ordinal);

        // A wrong file served under the name: rejected, the corrupt copy is left for the user to see, nothing new installed.
        server.Files[ZooFiles.Face.FileName] = ZooFiles.GenderBytes();
        (rc, _, stderr) = await Cli(env, "models", "fetch", "mmod_human_face_detector", "--from", server.BaseUrl, "--cache", cache.Path);
        Assert.Equal(1, rc);
        Assert.Contains("rejected", stderr, StringComparison.Ordinal);
        Assert.Equal(bad, File.ReadAllBytes(installed));
        Assert.Single(Directory.GetFileSystemEntries(cache.Path));
    }

    [SkippableFact]
    public async Task SixtyEightPointNoticeIsPrintedWhenFetchedOrUsed()
    {
        string mirror = Path.GetDirectoryName(TestPaths.Model("shape_predictor_68_face_landmarks.dat.bz2"))!;
        using var cache = new TempDir();
        var env = new Dictionary<string, string?> { ["DLIB_MODELS_DIR"] = mirror, ["DLIB_MODELS_CACHE"] = cache.Path, [ModelCatalog.UrlVariable] = "http://127.0.0.1:9/unreachable" };

        (int rc, string stdout, string stderr) = await Cli(env, "models", "fetch", "shape_predictor_68_face_landmarks");
        Assert.Equal(0, rc);
        Assert.Contains(ModelCatalog.SixtyEightPointNotice, stderr, StringComparison.Ordinal);
        Assert.Contains("mirror", stdout, StringComparison.Ordinal);

        (rc, _, stderr) = await Cli(env, "models", "path", "shape_predictor_68_face_landmarks");
        Assert.Equal(0, rc);
        Assert.Contains(ModelCatalog.SixtyEightPointNotice, stderr, StringComparison.Ordinal);

        (rc, _, stderr) = await Cli(env, "models", "path", "mmod_human_face_detector");
        Assert.Equal(0, rc);
        Assert.DoesNotContain("iBUG", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int Rc, string Stdout, string Stderr)> Cli(Dictionary<string, string?>? env, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "dlib-models.dll");
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach ((string k, string? v) in env ?? [])
        {
            if (v is null)
            {
                psi.Environment.Remove(k);
            }
            else
            {
                psi.Environment[k] = v;
            }
        }

        using Process p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stdout, await stderr);
    }
}
