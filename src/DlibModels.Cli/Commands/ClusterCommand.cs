using System.CommandLine;
using DlibModels.Applications;
using DlibModels.Cli.Output;
using DlibModels.ImageIO;
using DlibModels.Imaging;

namespace DlibModels.Cli.Commands;

/// <summary><c>dlib-models cluster IMAGES... --out DIR [--threshold 0.6] [--json]</c>: one folder of face chips per person.</summary>
internal static class ClusterCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("IMAGES") { Description = "Images or folders.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--out") { Description = "Folder to write person_<n>/ folders of 150x150 face chips into." };
        var threshold = new Option<double>("--threshold") { Description = "Edges join faces closer than this (dlib's example: 0.6).", DefaultValueFactory = _ => 0.6 };
        var json = new Option<bool>("--json") { Description = "JSON Lines: image, faces (rect, cluster)." };
        var faceModels = new FaceModels();
        var command = new Command("cluster", "Group the faces of many images by person with dlib's chinese_whispers.\nExample: dlib-models cluster photos/ --out people/")
        {
            images, output, threshold, json,
        };
        faceModels.AddTo(command);
        command.SetAction(parse =>
        {
            FaceAnalyzer analyzer;
            try
            {
                analyzer = faceModels.Build(parse);
            }
            catch (Exception e) when (e is FileNotFoundException or Serialization.DlibFormatException or IOException or ArgumentException)
            {
                Console.Error.WriteLine($"dlib-models cluster: {e.Message}");
                return 1;
            }

            int up = parse.GetValue(faceModels.Upsample);
            int failures = 0;
            var owners = new List<(string Image, int Face, Face Box, RgbImage Chip)>();
            var descriptors = new List<float[]>();
            foreach (string path in ImageInputs.Expand(parse.GetValue(images)!))
            {
                try
                {
                    RgbImage img = ImageFile.LoadRgb(path);
                    IReadOnlyList<Face> faces = analyzer.FaceLandmarks(img, upsample: up);
                    IReadOnlyList<RgbImage> chips = analyzer.FaceChipsOf(img, faces);
                    descriptors.AddRange(analyzer.FaceEncodings(img, faces));
                    for (int i = 0; i < faces.Count; i++)
                    {
                        owners.Add((path, i, faces[i], chips[i]));
                    }
                }
                catch (ImageDecodeException e)
                {
                    Console.Error.WriteLine($"dlib-models cluster: {e.Message}");
                    failures++;
                }
            }

            int[] labels = FaceAnalyzer.Cluster(descriptors, parse.GetValue(threshold));
            string? outDir = parse.GetValue(output);
            for (int i = 0; i < owners.Count; i++)
            {
                if (outDir is not null)
                {
                    string dir = Path.Combine(outDir, $"person_{labels[i]}");
                    Directory.CreateDirectory(dir);
                    ImageFile.SavePng(owners[i].Chip, Path.Combine(dir, $"{Path.GetFileNameWithoutExtension(owners[i].Image)}_face{owners[i].Face}.png"));
                }
            }

            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                foreach (var group in owners.Select((o, i) => (o, i)).GroupBy(x => x.o.Image))
                {
                    EncodeCommand.Write(stdout, w =>
                    {
                        w.WriteString("image", group.Key);
                        w.WriteStartArray("faces");
                        foreach (var (o, i) in group)
                        {
                            w.WriteStartObject();
                            JsonFields.Rect(w, "rect", o.Box.Rect);
                            w.WriteNumber("cluster", labels[i]);
                            w.WriteEndObject();
                        }

                        w.WriteEndArray();
                    });
                }
            }
            else
            {
                Console.WriteLine($"{owners.Count} face(s), {labels.Distinct().Count()} person(s){(outDir is null ? string.Empty : $", chips in {outDir}")}");
            }

            return failures > 0 ? 2 : 0;
        });
        return command;
    }
}
