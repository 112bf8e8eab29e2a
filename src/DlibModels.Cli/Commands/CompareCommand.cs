using System.CommandLine;
using System.Globalization;
using DlibModels.Applications;
using DlibModels.ImageIO;
using DlibModels.Imaging;

namespace DlibModels.Cli.Commands;

/// <summary>
/// <c>dlib-models compare KNOWN_DIR IMAGES...</c>, like face_recognition's command line: prints
/// <c>file,name[,distance]</c> for each match, <c>file,unknown_person</c> for a face that matches
/// nobody, and <c>file,no_persons_found</c> for an image without faces.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var known = new Argument<string>("KNOWN_DIR") { Description = "Folder of known people: one face per image, named after the file (or its sub-folder)." };
        var images = new Argument<string[]>("IMAGES") { Description = "Images or folders to check.", Arity = ArgumentArity.OneOrMore };
        var tolerance = new Option<double>("--tolerance") { Description = "Distance below which faces are the same person.", DefaultValueFactory = _ => 0.6 };
        var showDistance = new Option<bool>("--show-distance") { Description = "Append the distance to each match." };
        var cpus = new Option<int>("--cpus") { Description = "Images processed at once (default: all cores).", DefaultValueFactory = _ => 0 };
        var faceModels = new FaceModels();
        var command = new Command("compare", "Recognize known people in images, like face_recognition's CLI.\nExample: dlib-models compare known_people/ unknown_pictures/ --tolerance 0.6 --show-distance")
        {
            known, images, tolerance, showDistance, cpus,
        };
        faceModels.AddTo(command);
        command.SetAction(parse =>
        {
            int parallel = Batch.Cpus(parse.GetValue(cpus));
            FaceAnalyzer? analyzer = faceModels.TryBuild(parse, "compare", engineThreads: Batch.EngineThreads(parallel));
            if (analyzer is null)
            {
                return 1;
            }

            string knownDir = parse.GetValue(known)!;
            if (!Directory.Exists(knownDir))
            {
                Console.Error.WriteLine($"dlib-models compare: {knownDir}: not a folder");
                return 1;
            }

            int up = parse.GetValue(faceModels.Upsample);
            int failures = 0;
            var names = new List<string>();
            var encodings = new List<float[]>();
            foreach (string path in ImageInputs.Expand([knownDir]))
            {
                try
                {
                    IReadOnlyList<float[]> enc = analyzer.FaceEncodings(ImageFile.LoadRgb(path), upsample: up);
                    if (enc.Count == 0)
                    {
                        Console.Error.WriteLine($"WARNING: no faces found in {path}. Ignoring file.");
                        continue;
                    }

                    if (enc.Count > 1)
                    {
                        Console.Error.WriteLine($"WARNING: more than one face found in {path}. Only considering the first face.");
                    }

                    string dir = Path.GetDirectoryName(Path.GetRelativePath(knownDir, path)) ?? string.Empty;
                    names.Add(dir.Length > 0 ? dir.Replace(Path.DirectorySeparatorChar, '/') : Path.GetFileNameWithoutExtension(path));
                    encodings.Add(enc[0]);
                }
                catch (ImageDecodeException e)
                {
                    Console.Error.WriteLine($"dlib-models compare: {e.Message}");
                    failures++;
                }
            }

            double tol = parse.GetValue(tolerance);
            bool show = parse.GetValue(showDistance);
            var batch = new Batch();
            batch.Run(
                "compare",
                ImageInputs.Expand(parse.GetValue(images)!),
                parallel,
                path => analyzer.FaceEncodings(ImageFile.LoadRgb(path), upsample: up),
                (path, faces) =>
                {
                    if (faces.Count == 0)
                    {
                        Console.WriteLine($"{path},no_persons_found");
                        return;
                    }

                    foreach (float[] face in faces)
                    {
                        double[] distances = FaceAnalyzer.FaceDistance(encodings, face);
                        bool any = false;
                        for (int i = 0; i < distances.Length; i++)
                        {
                            if (distances[i] <= tol)
                            {
                                any = true;
                                Console.WriteLine(show ? $"{path},{names[i]},{distances[i].ToString("0.################", CultureInfo.InvariantCulture)}" : $"{path},{names[i]}");
                            }
                        }

                        if (!any)
                        {
                            Console.WriteLine($"{path},unknown_person");
                        }
                    }
                });

            return failures + batch.Failures > 0 ? 2 : 0;
        });
        return command;
    }
}
