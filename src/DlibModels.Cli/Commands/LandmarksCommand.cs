using System.CommandLine;
using System.Text.Json;
using DlibModels.Cli.Output;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Landmarks;
using DlibModels.Zoo;
using Point = DlibModels.Landmarks.Point;

namespace DlibModels.Cli.Commands;

/// <summary><c>dlib-models landmarks IMAGES... [--model SP] [--detector hog|NET] [--upsample N] [--json]</c>.</summary>
internal static class LandmarksCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("IMAGES") { Description = "Image files or folders (searched recursively).", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string>("--model") { Description = "Shape predictor file or name.", DefaultValueFactory = _ => "shape_predictor_68_face_landmarks" };
        var detector = new Option<string>("--detector") { Description = "hog (default) or an MMOD face detector file/name.", DefaultValueFactory = _ => "hog" };
        var upsample = new Option<int>("--upsample") { Description = "Detect on the image pyramid_up'ed N times; boxes are mapped back and landmarks computed on the original image.", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "JSON Lines: image, decoded, faces (rect, parts)." };
        var draw = new Option<string?>("--draw") { Description = "Write each image with boxes and landmarks drawn as PNG into this folder." };
        var cpus = new Option<int>("--cpus") { Description = "Images processed at once (default: all cores).", DefaultValueFactory = _ => 0 };
        Option<string> engine = Engines.CreateOption();
        var command = new Command("landmarks", "Find faces and their landmarks (68 or 5 points) with a dlib shape predictor.\nExample: dlib-models landmarks photos/ --model shape_predictor_68_face_landmarks --json")
        {
            images, model, detector, upsample, json, draw, cpus, engine,
        };
        command.SetAction(parse =>
        {
            int up = parse.GetValue(upsample);
            if (up < 0 || up > 4)
            {
                Console.Error.WriteLine("dlib-models landmarks: --upsample must be between 0 and 4");
                return 1;
            }

            int parallel = Batch.Cpus(parse.GetValue(cpus));
            Detectors det;
            ShapePredictor sp;
            try
            {
                det = Detectors.Create(parse.GetValue(detector), Batch.EngineThreads(parallel), parse.GetValue(engine));
                string spPath = ModelLocator.Resolve(parse.GetValue(model)!);
                LicenseNotice.WarnIfRestricted(spPath);
                sp = ShapePredictor.Load(spPath);
            }
            catch (Exception e) when (e is FileNotFoundException or Serialization.DlibFormatException or IOException)
            {
                Console.Error.WriteLine($"dlib-models landmarks: {e.Message}");
                return 1;
            }

            bool asJson = parse.GetValue(json);
            string? drawDir = parse.GetValue(draw);
            if (drawDir is not null)
            {
                Directory.CreateDirectory(drawDir);
            }

            int total = 0;
            using var stdout = Console.OpenStandardOutput();
            var batch = new Batch();
            batch.Run(
                "landmarks",
                ImageInputs.Expand(parse.GetValue(images)!),
                parallel,
                path =>
                {
                    RgbImage img = ImageFile.LoadRgb(path);
                    var faces = new List<FullObjectDetection>();
                    foreach (CliDetection d in det.Detect(Detectors.Upsample(img, up), 0))
                    {
                        faces.Add(sp.Predict(img, PyramidDown2.RectDown(d.Rect, up)));
                    }

                    if (drawDir is not null)
                    {
                        RgbImage canvas = img.Clone();
                        foreach (FullObjectDetection f in faces)
                        {
                            Drawing.Rectangle(canvas, f.Rect, (255, 0, 0));
                            foreach (Point p in f.Parts)
                            {
                                Drawing.Dot(canvas, p.X, p.Y, (0, 255, 0));
                            }
                        }

                        ImageFile.SavePng(canvas, Path.Combine(drawDir, Path.GetFileNameWithoutExtension(path) + ".png"));
                    }

                    return (img: DecodedSummary.Of(img), faces);
                },
                (path, r) =>
                {
                    total += r.faces.Count;
                    if (asJson)
                    {
                        JsonFields.Line(stdout, w =>
                        {
                            w.WriteString("image", path);
                            JsonFields.Decoded(w, r.img);
                            w.WriteNumber("upsampled", up);
                            w.WriteStartArray("faces");
                            foreach (FullObjectDetection f in r.faces)
                            {
                                w.WriteStartObject();
                                JsonFields.Rect(w, "rect", f.Rect);
                                JsonFields.Parts(w, f.Parts);
                                w.WriteEndObject();
                            }

                            w.WriteEndArray();
                        });
                    }
                    else
                    {
                        Console.WriteLine($"{path}: {r.faces.Count} face(s)");
                        foreach (FullObjectDetection f in r.faces)
                        {
                            Console.WriteLine($"  [{f.Rect.Left}, {f.Rect.Top}, {f.Rect.Right}, {f.Rect.Bottom}]  {string.Join(' ', f.Parts.Select(p => $"{p.X},{p.Y}"))}");
                        }
                    }
                });

            if (!asJson)
            {
                Console.WriteLine(batch.Summary("face(s)", total));
            }

            return batch.Failures > 0 ? 2 : 0;
        });
        return command;
    }
}
