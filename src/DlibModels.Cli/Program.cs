using System.CommandLine;
using DlibModels.Cli.Commands;

namespace DlibModels.Cli;

/// <summary>The <c>dlib-models</c> command line.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("dlib-models: run dlib's model zoo (face detection, landmarks, descriptors, ...) from the original dlib files, without native dlib.");
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(ChipsCommand.Create());
        root.Subcommands.Add(ClassifyCommand.Create());
        root.Subcommands.Add(ClusterCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(DatasetCommand.Create());
        root.Subcommands.Add(DetectCommand.Create());
        root.Subcommands.Add(EncodeCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(HipsterizeCommand.Create());
        root.Subcommands.Add(Commands.Index.IndexCommand.Create());
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(LandmarksCommand.Create());
        root.Subcommands.Add(LayersCommand.Create());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(TestCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        return root.Parse(args).Invoke();
    }
}
