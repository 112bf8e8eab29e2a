namespace DlibModels.Cli.Commands;

/// <summary>Expands image arguments: files as given, folders searched recursively for images, in name order.</summary>
internal static class ImageInputs
{
    private static readonly HashSet<string> Extensions = new(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".bmp" };

    public static List<string> Expand(IEnumerable<string> args)
    {
        var files = new List<string>();
        foreach (string a in args)
        {
            if (Directory.Exists(a))
            {
                var found = Directory.EnumerateFiles(a, "*", SearchOption.AllDirectories)
                    .Where(f => Extensions.Contains(Path.GetExtension(f)))
                    .ToList();
                found.Sort(StringComparer.Ordinal);
                files.AddRange(found);
            }
            else
            {
                files.Add(a);
            }
        }

        return files;
    }
}
