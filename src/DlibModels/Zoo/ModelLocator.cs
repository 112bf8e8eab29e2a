namespace DlibModels.Zoo;

/// <summary>
/// Resolves a model argument: an existing path is used as is; otherwise a catalogue name or file
/// name is looked up in <c>DLIB_MODELS_DIR</c> (a read-only mirror, searched first) and then in the
/// per-user cache (<c>DLIB_MODELS_CACHE</c>, else <c>$XDG_CACHE_HOME/dlib-models</c>, else
/// <c>~/.cache/dlib-models</c>), trying the <c>.dat</c>, <c>.dnn</c> and <c>.bz2</c> spellings.
/// </summary>
public static class ModelLocator
{
    private static readonly string[] Suffixes = [string.Empty, ".bz2", ".dat", ".dat.bz2", ".dnn", ".dnn.bz2"];

    /// <summary>The folders searched, in order.</summary>
    public static IReadOnlyList<string> SearchFolders() => SearchFolders(null);

    /// <summary>The folders searched, in order, with <paramref name="cacheOverride"/> (when set) in place of the cache.</summary>
    public static IReadOnlyList<string> SearchFolders(string? cacheOverride)
    {
        var folders = new List<string>();
        string? mirror = Environment.GetEnvironmentVariable("DLIB_MODELS_DIR");
        if (!string.IsNullOrEmpty(mirror))
        {
            folders.Add(mirror);
        }

        folders.Add(string.IsNullOrEmpty(cacheOverride) ? CacheFolder() : cacheOverride);
        return folders;
    }

    /// <summary>The per-user cache folder.</summary>
    public static string CacheFolder()
    {
        string? cache = Environment.GetEnvironmentVariable("DLIB_MODELS_CACHE");
        if (!string.IsNullOrEmpty(cache))
        {
            return cache;
        }

        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string baseDir = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(baseDir, "dlib-models");
    }

    /// <summary>Returns the file for <paramref name="nameOrPath"/>.</summary>
    /// <exception cref="FileNotFoundException">Nothing matches; the message lists where it looked.</exception>
    public static string Resolve(string nameOrPath) => Resolve(nameOrPath, null);

    /// <summary>Returns the file for <paramref name="nameOrPath"/>, searching <paramref name="cacheOverride"/> (when set) instead of the cache.</summary>
    /// <exception cref="FileNotFoundException">Nothing matches; the message lists where it looked.</exception>
    public static string Resolve(string nameOrPath, string? cacheOverride)
    {
        ArgumentException.ThrowIfNullOrEmpty(nameOrPath);
        if (File.Exists(nameOrPath))
        {
            return nameOrPath;
        }

        IReadOnlyList<string> folders = SearchFolders(cacheOverride);
        string name = Path.GetFileName(nameOrPath);
        bool relative = !Path.IsPathRooted(nameOrPath) && name != nameOrPath;
        foreach (string folder in folders)
        {
            foreach (string suffix in Suffixes)
            {
                // A relative path such as standin/x.dat.bz2 is looked up below the folder as given, then by file name.
                if (relative && File.Exists(Path.Combine(folder, nameOrPath + suffix)))
                {
                    return Path.Combine(folder, nameOrPath + suffix);
                }

                string candidate = Path.Combine(folder, name + suffix);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        string stem = name.Split('.')[0];
        throw new FileNotFoundException(
            $"model '{nameOrPath}' not found: it is not a file, and no {name}[.dat|.dnn][.bz2] is in {string.Join(" or ", folders)}. Get it with: dlib-models models fetch {stem}",
            nameOrPath);
    }
}
