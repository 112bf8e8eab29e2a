using System.CommandLine;
using DlibModels.Faces;
using DlibModels.Search;

namespace DlibModels.Cli.Commands.Index;

/// <summary>
/// <c>dlib-models index add|search|people|faces|remove|rename|merge|cluster|stats|bench</c>: a
/// known-people index in one SQLite file (created if absent).
/// </summary>
internal static class IndexCommand
{
    public static Command Create()
    {
        var command = new Command("index", "A known-people index: enroll faces once, then search them.\nExample: dlib-models index add people.db known/ --people-from-folders && dlib-models index search people.db photo.jpg");
        command.Subcommands.Add(IndexAddCommand.Create());
        command.Subcommands.Add(IndexSearchCommand.Create());
        foreach (Command c in IndexAdminCommands.Create())
        {
            command.Subcommands.Add(c);
        }

        command.Subcommands.Add(IndexClusterCommand.Create());
        command.Subcommands.Add(IndexBenchCommand.Create());
        return command;
    }

    /// <summary>The INDEX argument every subcommand takes first.</summary>
    public static Argument<string> IndexArgument() =>
        new("INDEX") { Description = "The index: a SQLite file (created if absent)." };

    /// <summary>The id under which a network's descriptors are stored: its architecture and the start of its content's SHA-256.</summary>
    public static string ModelId(FaceRecognitionModel net) =>
        $"{net.Network.ArchitectureName ?? "network"}@{net.Network.ContentSha256?[..16] ?? "unknown"}";

    /// <summary>Opens the index or reports why not (<c>dlib-models index SUB: ...</c>) and returns null.</summary>
    public static FaceIndex? TryOpen(string spec, string subcommand, string? modelId = null, bool mustExist = false)
    {
        if (mustExist && !File.Exists(spec))
        {
            Console.Error.WriteLine($"dlib-models index {subcommand}: {spec}: no such index file");
            return null;
        }

        try
        {
            return FaceIndex.Open(spec, modelId);
        }
        catch (Exception e) when (e is FaceIndexException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"dlib-models index {subcommand}: {e.Message}");
            return null;
        }
    }
}
