using DlibModels.Tests.Support;
using DlibModels.Zoo;

namespace DlibModels.Tests.Zoo;

/// <summary>Tests that set DLIB_MODELS_* environment variables run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ModelEnvironmentCollection
{
    public const string Name = "model environment variables";
}

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dlibmodels-zoo-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Sets environment variables and restores them on dispose.</summary>
internal sealed class EnvScope : IDisposable
{
    private readonly Dictionary<string, string?> saved = [];

    public EnvScope Set(string name, string? value)
    {
        if (!saved.ContainsKey(name))
        {
            saved[name] = Environment.GetEnvironmentVariable(name);
        }

        Environment.SetEnvironmentVariable(name, value);
        return this;
    }

    public void Dispose()
    {
        foreach ((string name, string? value) in saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}

internal static class ZooFiles
{
    public static ModelInfo Face => ModelCatalog.Find("mmod_human_face_detector")!;

    /// <summary>The published mmod_human_face_detector.dat.bz2 bytes from the shared model folder (skips without it).</summary>
    public static byte[] FaceBytes() => File.ReadAllBytes(TestPaths.Model("mmod_human_face_detector.dat.bz2"));

    public static byte[] GenderBytes() => File.ReadAllBytes(TestPaths.Model("dnn_gender_classifier_v1.dat.bz2"));

    public static HttpClient Client() => new() { Timeout = TimeSpan.FromSeconds(60) };
}
