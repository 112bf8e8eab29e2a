using DlibModels.Zoo;

namespace DlibModels.Cli.Commands;

/// <summary>Prints the licence notice of models whose terms restrict use (from the catalogue).</summary>
internal static class LicenseNotice
{
    public static void WarnIfRestricted(string modelPath)
    {
        if (ModelCatalog.NoticeFor(modelPath) is { } notice)
        {
            Console.Error.WriteLine(notice);
        }
    }
}
