using System.CommandLine;
using System.Globalization;
using DlibModels.Applications;
using DlibModels.Cli.Output;
using DlibModels.Faces;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Search;
using DlibModels.Zoo;

namespace DlibModels.Cli.Commands.Index;

/// <summary>
/// <c>dlib-models index search INDEX IMAGES... [--top K] [--tolerance 0.6] [--chips]</c>: for every
/// face in the images, the K nearest stored faces within the tolerance (exact search) and the person
/// it is identified as (the person of the nearest named face within the tolerance, face_recognition's rule).
/// </summary>
internal static class IndexSearchCommand
{
    public static Command Create()
    {
        Argument<string> index = IndexCommand.IndexArgument();
        var images = new Argument<string[]>("IMAGES") { Description = "Images or folders to search for.", Arity = ArgumentArity.OneOrMore };
        var top = new Option<int>("--top") { Description = "Matches per face.", DefaultValueFactory = _ => 5 };
        var tolerance = new Option<double>("--tolerance") { Description = "Largest distance of a match (dlib's 0.6).", DefaultValueFactory = _ => FaceIndex.DefaultTolerance };
        var chips = new Option<bool>("--chips") { Description = "The inputs are 150x150 aligned face chips." };
        var json = new Option<bool>("--json") { Description = "JSON Lines: image, faces (rect, person, matches: person, face, distance, image)." };
        var cpus = new Option<int>("--cpus") { Description = "Images processed at once (default: all cores).", DefaultValueFactory = _ => 0 };
        var faceModels = new FaceModels();
        var command = new Command("search", "Find who is in photos among the indexed faces.\nExample: dlib-models index search people.db party/ --top 3")
        {
            index, images, top, tolerance, chips, json, cpus,
        };
        faceModels.AddTo(command);
        command.SetAction(parse =>
        {
            int k = parse.GetValue(top);
            if (k < 1)
            {
                Console.Error.WriteLine("dlib-models index search: --top must be at least 1");
                return 1;
            }

            bool direct = parse.GetValue(chips);
            int parallel = Batch.Cpus(parse.GetValue(cpus));
            int engineThreads = Batch.EngineThreads(parallel);
            if (!faceModels.TryLoad(parse, "index search", direct, engineThreads, out FaceAnalyzer? analyzer, out FaceRecognitionModel net))
            {
                return 1;
            }

            string spec = parse.GetValue(index)!;
            using FaceIndex? store = IndexCommand.TryOpen(spec, "search", mustExist: true);
            if (store is null)
            {
                return 1;
            }

            string modelId = IndexCommand.ModelId(net);
            if (store.ModelId is not null && store.ModelId != modelId)
            {
                Console.Error.WriteLine($"dlib-models index search: {spec} holds descriptors of model '{store.ModelId}', the query faces come from '{modelId}': descriptors of different models cannot be compared");
                return 1;
            }

            double tol = parse.GetValue(tolerance);
            int up = parse.GetValue(faceModels.Upsample);
            bool asJson = parse.GetValue(json);
            using Stream stdout = Console.OpenStandardOutput();
            var batch = new Batch();
            batch.Run(
                "index search",
                ImageInputs.Expand(parse.GetValue(images)!),
                parallel,
                path =>
                {
                    RgbImage img = ImageFile.LoadRgb(path);
                    if (direct)
                    {
                        return (IReadOnlyList<(Rectangle? Rect, float[] Descriptor)>)[(null, net.ComputeDescriptor(img))];
                    }

                    IReadOnlyList<Face> faces = analyzer!.FaceLandmarks(img, upsample: up);
                    IReadOnlyList<float[]> d = analyzer.FaceEncodings(img, faces);
                    return [.. faces.Select((f, i) => ((Rectangle?)f.Rect, d[i]))];
                },
                (path, faces) =>
                {
                    var results = new List<(Rectangle? Rect, FaceMatch? Person, IReadOnlyList<FaceMatch> Matches)>();
                    foreach ((Rectangle? rect, float[] descriptor) in faces)
                    {
                        results.Add((rect, store.Identify(descriptor, tol), store.Search(descriptor, k, tol)));
                    }

                    if (asJson)
                    {
                        Write(stdout, path, results);
                        return;
                    }

                    if (results.Count == 0)
                    {
                        Console.WriteLine($"{path}: no faces found");
                    }

                    foreach ((Rectangle? rect, FaceMatch? who, IReadOnlyList<FaceMatch> matches) in results)
                    {
                        string found = matches.Count == 0
                            ? "no match"
                            : string.Join(", ", matches.Select(m => $"{m.PersonName ?? "(unnamed)"} {m.Distance.ToString("0.000", CultureInfo.InvariantCulture)} (face {m.FaceId})"));
                        Console.WriteLine($"{path}: {(rect is Rectangle r ? r.ToString() : "chip")} -> {who?.PersonName ?? "unknown_person"}: {found}");
                    }
                });

            return batch.Failures > 0 ? 2 : 0;
        });
        return command;
    }

    private static void Write(Stream stdout, string path, List<(Rectangle? Rect, FaceMatch? Person, IReadOnlyList<FaceMatch> Matches)> results) =>
        JsonFields.Line(stdout, w =>
        {
            w.WriteString("image", path);
            w.WriteStartArray("faces");
            foreach ((Rectangle? rect, FaceMatch? who, IReadOnlyList<FaceMatch> matches) in results)
            {
                w.WriteStartObject();
                if (rect is Rectangle r)
                {
                    JsonFields.Rect(w, "rect", r);
                }
                else
                {
                    w.WriteNull("rect");
                }

                w.WriteString("person", who?.PersonName); // null is written as JSON null

                w.WriteStartArray("matches");
                foreach (FaceMatch m in matches)
                {
                    w.WriteStartObject();
                    w.WriteString("person", m.PersonName); // null is written as JSON null

                    w.WriteNumber("face", m.FaceId);
                    w.WriteNumber("distance", m.Distance);
                    w.WriteString("image", m.SourceImage);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
}
