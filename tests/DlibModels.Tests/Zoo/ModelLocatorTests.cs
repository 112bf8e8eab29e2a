using DlibModels.Zoo;

namespace DlibModels.Tests.Zoo;

public sealed class ModelLocatorTests
{
    [Fact]
    public void A_relative_path_is_found_below_a_search_folder_and_a_missing_one_names_the_fetch_command()
    {
        using var cache = new TempDir();
        Directory.CreateDirectory(Path.Combine(cache.Path, "standin"));
        string file = Path.Combine(cache.Path, "standin", "my_model_xyz.dat.bz2");
        File.WriteAllBytes(file, [1]);

        Assert.Equal(file, ModelLocator.Resolve("standin/my_model_xyz.dat.bz2", cache.Path));
        Assert.Equal(file, ModelLocator.Resolve("standin/my_model_xyz", cache.Path));

        // A bare name is only looked up at the top of each folder, never in sub-folders (stand-ins stay opt-in).
        Assert.Throws<FileNotFoundException>(() => ModelLocator.Resolve("my_model_xyz", cache.Path));

        var e = Assert.Throws<FileNotFoundException>(() => ModelLocator.Resolve("no_such_model_abc", cache.Path));
        Assert.Contains("dlib-models models fetch no_such_model_abc", e.Message);
    }
}
