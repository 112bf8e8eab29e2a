using System.CommandLine;
using DlibModels.Applications;
using DlibModels.Cli.Output;
using DlibModels.Faces;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Search;
using DlibModels.Zoo;

namespace DlibModels.Cli.Commands.Index;

/// <summary>
/// <c>dlib-models index add INDEX IMAGES... [--person NAME | --people-from-folders] [--chips]</c>:
/// detects, aligns and encodes every face and stores it (one transaction per image). Images already
/// in the index (same content hash) are skipped, so re-running over a folder adds only what is new.
/// </summary>
internal static class IndexAddCommand
{
    private sealed record Encoded(string Hash, IReadOnlyList<(Rectangle? Rect, float[]? Landmarks, float[] Descriptor)> Faces, bool AlreadyIndexed);

    public static Command Create()
    {
        Argument<string> index = IndexCommand.IndexArgument();
        var images = new Argument<string[]>("IMAGES") { Description = "Images or folders (searched recursively).", Arity = ArgumentArity.OneOrMore };
        var person = new Option<string?>("--person") { Description = "Every image shows this person (an image with several faces gives its largest one)." };
        var fromFolders = new Option<bool>("--people-from-folders") { Description = "Each image's person is its folder below the folder argument (or its file name when it lies directly in it), as compare reads KNOWN_DIR." };
        var chips = new Option<bool>("--chips") { Description = "The inputs are 150x150 aligned face chips: encode them directly." };
        var json = new Option<bool>("--json") { Description = "JSON Lines: image, faces (id, rect, person)." };
        var cpus = new Option<int>("--cpus") { Description = "Images processed at once (default: all cores).", DefaultValueFactory = _ => 0 };
        var minNeighbours = new Option<int>("--min-neighbors") { Description = "A face without a person joins its neighbours' person when at least this many stored faces lie within --tolerance.", DefaultValueFactory = _ => 3 };
        var tolerance = new Option<double>("--tolerance") { Description = "Distance within which faces count as neighbours.", DefaultValueFactory = _ => FaceIndex.DefaultTolerance };
        var faceModels = new FaceModels();
        var command = new Command("add", "Enroll faces into the index.\nExample: dlib-models index add people.db known_people/ --people-from-folders")
        {
            index, images, person, fromFolders, chips, json, cpus, minNeighbours, tolerance,
        };
        faceModels.AddTo(command);
        command.SetAction(parse =>
        {
            string? name = parse.GetValue(person);
            bool byFolder = parse.GetValue(fromFolders);
            if (name is not null && byFolder)
            {
                Console.Error.WriteLine("dlib-models index add: --person and --people-from-folders exclude each other");
                return 1;
            }

            if (name is not null && string.IsNullOrWhiteSpace(name))
            {
                Console.Error.WriteLine("dlib-models index add: --person needs a name");
                return 1;
            }

            bool direct = parse.GetValue(chips);
            int parallel = Batch.Cpus(parse.GetValue(cpus));
            int engineThreads = Batch.EngineThreads(parallel);
            if (!faceModels.TryLoad(parse, "index add", direct, engineThreads, out FaceAnalyzer? analyzer, out FaceRecognitionModel net))
            {
                return 1;
            }

            string modelId = IndexCommand.ModelId(net);
            using FaceIndex? store = IndexCommand.TryOpen(parse.GetValue(index)!, "add", modelId);
            if (store is null)
            {
                return 1;
            }

            (List<string> paths, Dictionary<string, string> folderPeople) = Inputs(parse.GetValue(images)!);
            int up = parse.GetValue(faceModels.Upsample);
            int need = parse.GetValue(minNeighbours);
            double tol = parse.GetValue(tolerance);
            bool asJson = parse.GetValue(json);
            int added = 0;
            using Stream stdout = Console.OpenStandardOutput();
            var batch = new Batch();
            batch.Run(
                "index add",
                paths,
                parallel,
                path =>
                {
                    string hash = FaceIndex.HashFile(path);
                    lock (store)
                    {
                        if (store.CountFacesOfImage(hash) > 0)
                        {
                            return new Encoded(hash, [], true);
                        }
                    }

                    RgbImage img = ImageFile.LoadRgb(path);
                    if (direct)
                    {
                        return new Encoded(hash, [(null, null, net.ComputeDescriptor(img))], false);
                    }

                    IReadOnlyList<Face> faces = analyzer!.FaceLandmarks(img, upsample: up);
                    IReadOnlyList<float[]> descriptors = analyzer.FaceEncodings(img, faces);
                    var list = new List<(Rectangle?, float[]?, float[])>(faces.Count);
                    for (int i = 0; i < faces.Count; i++)
                    {
                        float[] parts = [.. faces[i].Landmarks!.Parts.SelectMany(p => new[] { (float)p.X, (float)p.Y })];
                        list.Add((faces[i].Rect, parts, descriptors[i]));
                    }

                    return new Encoded(hash, list, false);
                },
                (path, r) =>
                {
                    lock (store)
                    {
                        added += Store(store, path, r, name ?? (byFolder ? folderPeople.GetValueOrDefault(path) : null), modelId, need, tol, asJson, stdout);
                    }
                });

            if (!asJson)
            {
                IndexStats s = store.Stats();
                Console.Error.WriteLine($"{batch.Summary("face(s) added", added)}; the index holds {s.Faces} face(s) of {s.People} people");
            }

            return batch.Failures > 0 ? 2 : 0;
        });
        return command;
    }

    private static int Store(FaceIndex store, string path, Encoded r, string? personName, string modelId, int minNeighbours, double tolerance, bool asJson, Stream stdout)
    {
        var faces = r.Faces;
        bool already = r.AlreadyIndexed || store.CountFacesOfImage(r.Hash) > 0;
        if (already)
        {
            faces = [];
            if (!asJson)
            {
                Console.WriteLine($"{path}: already in the index, skipped");
            }
        }
        else if (personName is not null && faces.Count > 1)
        {
            int largest = 0;
            for (int i = 1; i < faces.Count; i++)
            {
                if (faces[i].Rect!.Value.Area > faces[largest].Rect!.Value.Area)
                {
                    largest = i;
                }
            }

            Console.Error.WriteLine($"dlib-models index add: {path}: {faces.Count} faces; enrolled the largest as {personName}");
            faces = [faces[largest]];
        }
        else if (faces.Count == 0)
        {
            Console.Error.WriteLine($"dlib-models index add: {path}: no face found");
        }

        long? personId = personName is not null && faces.Count > 0 ? store.GetOrAddPerson(personName) : null;
        IReadOnlyList<long> ids = store.AddFaces(faces.Select(f => new NewFace(
            f.Descriptor,
            modelId,
            Path.GetFullPath(path),
            r.Hash,
            f.Rect is Rectangle rect ? new FaceRect(rect.Left, rect.Top, rect.Right, rect.Bottom) : null,
            f.Landmarks,
            personId)));
        var people = new string?[ids.Count];
        for (int i = 0; i < ids.Count; i++)
        {
            people[i] = personName;
            if (personId is null && UnknownFaces.AssignToNeighbours(store, ids[i], faces[i].Descriptor, tolerance, minNeighbours) is long joined)
            {
                people[i] = store.PersonName(joined);
            }
        }

        if (asJson)
        {
            JsonFields.Line(stdout, w =>
            {
                w.WriteString("image", path);
                if (already)
                {
                    w.WriteBoolean("already_indexed", true);
                }

                w.WriteStartArray("faces");
                for (int i = 0; i < ids.Count; i++)
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", ids[i]);
                    if (faces[i].Rect is Rectangle rect)
                    {
                        JsonFields.Rect(w, "rect", rect);
                    }
                    else
                    {
                        w.WriteNull("rect");
                    }

                    w.WriteString("person", people[i]); // null is written as JSON null

                    w.WriteEndObject();
                }

                w.WriteEndArray();
            });
        }
        else if (!already)
        {
            for (int i = 0; i < ids.Count; i++)
            {
                Console.WriteLine($"{path}: face {ids[i]} {(faces[i].Rect is Rectangle rect ? rect.ToString() : "(chip)")} -> {people[i] ?? "(no person yet)"}");
            }
        }

        return ids.Count;
    }

    /// <summary>Expands the image arguments and, for images found in folder arguments, the person each folder names.</summary>
    private static (List<string> Paths, Dictionary<string, string> People) Inputs(string[] args)
    {
        var paths = new List<string>();
        var people = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string a in args)
        {
            foreach (string path in ImageInputs.Expand([a]))
            {
                paths.Add(path);
                string person;
                if (Directory.Exists(a))
                {
                    string dir = Path.GetDirectoryName(Path.GetRelativePath(a, path)) ?? string.Empty;
                    person = dir.Length > 0 ? dir.Replace(Path.DirectorySeparatorChar, '/') : Path.GetFileNameWithoutExtension(path);
                }
                else
                {
                    person = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? Path.GetFileNameWithoutExtension(path);
                }

                people.TryAdd(path, person);
            }
        }

        return (paths, people);
    }
}
