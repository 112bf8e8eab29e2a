using System.CommandLine;
using System.Text.Json;
using DlibModels.Cli.Output;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Landmarks;
using DlibModels.Zoo;

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
        var command = new Command("landmarks", "Find faces and their landmarks (68 or 5 points) with a dlib shape predictor.\nExample: dlib-models landmarks photos/ --model shape_predictor_68_face_landmarks --json")
        {
            images, model, detector, upsample, json,
        };
        command.SetAction(parse =>
        {
            int up = parse.GetValue(upsample);
            if (up < 0 || up > 4)
            {
                Console.Error.WriteLine("dlib-models landmarks: --upsample must be between 0 and 4");
                return 1;
            }

            Detectors det;
            ShapePredictor sp;
            try
            {
                det = Detectors.Create(parse.GetValue(detector));
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
            int failures = 0;
            using var stdout = Console.OpenStandardOutput();
            foreach (string path in ImageInputs.Expand(parse.GetValue(images)!))
            {
                RgbImage img;
                try
                {
                    img = ImageFile.LoadRgb(path);
                }
                catch (ImageDecodeException e)
                {
                    Console.Error.WriteLine($"dlib-models landmarks: {e.Message}");
                    failures++;
                    continue;
                }

                var faces = new List<FullObjectDetection>();
                foreach (CliDetection d in det.Detect(Detectors.Upsample(img, up), 0))
                {
                    faces.Add(sp.Predict(img, PyramidDown2.RectDown(d.Rect, up)));
                }

                if (asJson)
                {
                    using (var w = new Utf8JsonWriter(stdout))
                    {
                        w.WriteStartObject();
                        w.WriteString("image", path);
                        JsonFields.Decoded(w, img);
                        w.WriteNumber("upsampled", up);
                        w.WriteStartArray("faces");
                        foreach (FullObjectDetection f in faces)
                        {
                            w.WriteStartObject();
                            JsonFields.Rect(w, "rect", f.Rect);
                            JsonFields.Parts(w, f.Parts);
                            w.WriteEndObject();
                        }

                        w.WriteEndArray();
                        w.WriteEndObject();
                    }

                    stdout.WriteByte((byte)'\n');
                    stdout.Flush();
                }
                else
                {
                    Console.WriteLine($"{path}: {faces.Count} face(s)");
                    foreach (FullObjectDetection f in faces)
                    {
                        Console.WriteLine($"  [{f.Rect.Left}, {f.Rect.Top}, {f.Rect.Right}, {f.Rect.Bottom}]  {string.Join(' ', f.Parts.Select(p => $"{p.X},{p.Y}"))}");
                    }
                }
            }

            return failures > 0 ? 2 : 0;
        });
        return command;
    }
}
