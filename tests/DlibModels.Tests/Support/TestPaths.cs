namespace DlibModels.Tests.Support;

/// <summary>Finds ../shared (images, goldens) and the model folder for tests.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string?> SharedDir = new(FindShared);

    /// <summary>The shared folder (env DLIB_SHARED_DIR, else the nearest ancestor's <c>shared/</c>), or null.</summary>
    public static string? Shared => SharedDir.Value;

    /// <summary>The model folder: env DLIB_MODELS_DIR, else shared/models.</summary>
    public static string? ModelsDir
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable("DLIB_MODELS_DIR");
            if (!string.IsNullOrEmpty(env))
            {
                return env;
            }

            return Shared is null ? null : Path.Combine(Shared, "models");
        }
    }

    /// <summary>Path of a file under shared/, failing the test (not skipping) when shared/ is missing.</summary>
    public static string SharedFile(string relative)
    {
        string shared = Shared ?? throw new InvalidOperationException("the shared/ folder (images and goldens) was not found beside the repository; set DLIB_SHARED_DIR");
        return Path.Combine(shared, relative);
    }

    /// <summary>
    /// Path of a model file relative to the models folder; skips the test with a reason naming the
    /// file when it is absent.
    /// </summary>
    public static string Model(string relative)
    {
        string? dir = ModelsDir;
        string path = dir is null ? relative : Path.Combine(dir, relative);
        Skip.IfNot(File.Exists(path), $"model file {relative} not found (looked in DLIB_MODELS_DIR={dir ?? "<unset>"})");
        return path;
    }

    private static string? FindShared()
    {
        string? env = Environment.GetEnvironmentVariable("DLIB_SHARED_DIR");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env))
        {
            return env;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "reference")))
            {
                return candidate;
            }
        }

        return null;
    }
}
