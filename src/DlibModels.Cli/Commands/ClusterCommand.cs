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
        var cpus = new Option<int>("--cpus") { Description = "Images processed at once (default: all cores).", DefaultValueFactory = _ => 0 };
        var faceModels = new FaceModels();
        var command = new Command("cluster", "Group the faces of many images by person with dlib's chinese_whispers.\nExample: dlib-models cluster photos/ --out people/")
        {
            images, output, threshold, json, cpus,
        };
        faceModels.AddTo(command);
        command.SetAction(parse =>
        {
            int parallel = Batch.Cpus(parse.GetValue(cpus));
            FaceAnalyzer? analyzer = faceModels.TryBuild(parse, "cluster", engineThreads: Batch.EngineThreads(parallel));
            if (analyzer is null)
            {
                return 1;
            }

            int up = parse.GetValue(faceModels.Upsample);
            string? outDir = parse.GetValue(output);

            // Chips go to a staging folder as soon as they are made and are moved into their person's
            // folder once the clusters are known, so memory holds descriptors, not images.
            string? staging = outDir is null ? null : Path.Combine(outDir, $".staging-{Guid.NewGuid():N}");
            if (staging is not null)
            {
                Directory.CreateDirectory(staging);
            }

            var owners = new List<(string Image, int Face, Face Box, string? Chip)>();
            var descriptors = new List<float[]>();
            var batch = new Batch();
            batch.Run(
                "cluster",
                ImageInputs.Expand(parse.GetValue(images)!),
                parallel,
                path =>
                {
                    RgbImage img = ImageFile.LoadRgb(path);
                    IReadOnlyList<Face> faces = analyzer.FaceLandmarks(img, upsample: up);
                    var staged = new string?[faces.Count];
                    if (staging is not null)
                    {
                        IReadOnlyList<RgbImage> chips = analyzer.FaceChipsOf(img, faces);
                        string stem = Guid.NewGuid().ToString("N");
                        for (int i = 0; i < chips.Count; i++)
                        {
                            staged[i] = Path.Combine(staging, $"{stem}_{i}.png");
                            ImageFile.SavePng(chips[i], staged[i]!);
                        }
                    }

                    return (faces, staged, analyzer.FaceEncodings(img, faces));
                },
                (path, r) =>
                {
                    descriptors.AddRange(r.Item3);
                    for (int i = 0; i < r.faces.Count; i++)
                    {
                        owners.Add((path, i, r.faces[i], r.staged[i]));
                    }
                });

            int[] labels = FaceAnalyzer.Cluster(descriptors, parse.GetValue(threshold));
            for (int i = 0; i < owners.Count; i++)
            {
                if (outDir is not null && owners[i].Chip is string chip)
                {
                    string dir = Path.Combine(outDir, $"person_{labels[i]}");
                    Directory.CreateDirectory(dir);
                    File.Move(chip, Path.Combine(dir, $"{Path.GetFileNameWithoutExtension(owners[i].Image)}_face{owners[i].Face}.png"), overwrite: true);
                }
            }

            if (staging is not null)
            {
                Directory.Delete(staging, recursive: true);
            }

            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                foreach (var group in owners.Select((o, i) => (o, i)).GroupBy(x => x.o.Image))
                {
                    JsonFields.Line(stdout, w =>
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

            return batch.Failures > 0 ? 2 : 0;
        });
        return command;
    }
}
