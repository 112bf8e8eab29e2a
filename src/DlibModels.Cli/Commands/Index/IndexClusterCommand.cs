using System.CommandLine;
using DlibModels.Cli.Output;
using DlibModels.Search;

namespace DlibModels.Cli.Commands.Index;

/// <summary>
/// <c>dlib-models index cluster INDEX [--threshold 0.6] [--min-size 2]</c>: groups the faces that
/// belong to nobody with chinese_whispers and makes each group an unnamed person <c>cluster-ID</c>;
/// <c>index rename INDEX cluster-ID NAME</c> then names all its faces at once.
/// </summary>
internal static class IndexClusterCommand
{
    public static Command Create()
    {
        Argument<string> index = IndexCommand.IndexArgument();
        var threshold = new Option<double>("--threshold") { Description = "Faces closer than this are linked (dlib's 0.6).", DefaultValueFactory = _ => FaceIndex.DefaultTolerance };
        var minSize = new Option<int>("--min-size") { Description = "Smaller groups stay unassigned.", DefaultValueFactory = _ => 2 };
        var json = new Option<bool>("--json") { Description = "JSON Lines: one object per new cluster (id, name, faces), then one with clusters and unclustered." };
        var command = new Command("cluster", "Cluster the faces that belong to nobody into unnamed people.\nExample: dlib-models index cluster people.db && dlib-models index people people.db")
        {
            index, threshold, minSize, json,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(minSize) < 1)
            {
                Console.Error.WriteLine("dlib-models index cluster: --min-size must be at least 1");
                return 1;
            }

            using FaceIndex? store = IndexCommand.TryOpen(parse.GetValue(index)!, "cluster", mustExist: true);
            if (store is null)
            {
                return 1;
            }

            ClusterReport report = UnknownFaces.ClusterAll(store, parse.GetValue(threshold), parse.GetValue(minSize));
            bool asJson = parse.GetValue(json);
            using Stream stdout = Console.OpenStandardOutput();
            foreach (Person p in report.Clusters)
            {
                if (asJson)
                {
                    JsonFields.Line(stdout, w =>
                    {
                        w.WriteNumber("id", p.Id);
                        w.WriteString("name", p.Name);
                        w.WriteNumber("faces", p.FaceCount);
                    });
                }
                else
                {
                    Console.WriteLine($"{p.Name}: {p.FaceCount} face(s)");
                }
            }

            if (asJson)
            {
                JsonFields.Line(stdout, w =>
                {
                    w.WriteNumber("clusters", report.Clusters.Count);
                    w.WriteNumber("unclustered", report.Unclustered);
                });
            }
            else
            {
                Console.WriteLine($"{report.Clusters.Count} new cluster(s); {report.Unclustered} face(s) left unassigned");
            }

            return 0;
        });
        return command;
    }
}
