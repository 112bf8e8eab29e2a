using System.CommandLine;
using DlibModels.Applications;
using DlibModels.Cli.Output;
using DlibModels.Faces;
using DlibModels.ImageIO;
using DlibModels.Imaging;

namespace DlibModels.Cli.Commands;

/// <summary><c>dlib-models chips IMAGES... --out DIR [--size 150] [--padding 0.25] [--json]</c>: aligned face chips.</summary>
internal static class ChipsCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("IMAGES") { Description = "Images or folders.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--out") { Description = "Folder to write <image>_face<i>.png chips into." };
        var size = new Option<int>("--size") { Description = "Chip side in pixels.", DefaultValueFactory = _ => 150 };
        var padding = new Option<double>("--padding") { Description = "Padding around the face, as a fraction of its size (dlib's get_face_chip_details).", DefaultValueFactory = _ => 0.25 };
        var json = new Option<bool>("--json") { Description = "JSON Lines: image, faces with rect, parts and chip_details (rect, angle, rows, cols)." };
        var cpus = new Option<int>("--cpus") { Description = "Images processed at once (default: all cores).", DefaultValueFactory = _ => 0 };
        var faceModels = new FaceModels();
        var command = new Command("chips", "Extract aligned face chips (dlib's get_face_chip_details + extract_image_chips).\nExample: dlib-models chips photos/ --out chips/ --landmarks shape_predictor_68_face_landmarks")
        {
            images, output, size, padding, json, cpus,
        };
        faceModels.AddTo(command, withModel: false);
        command.SetAction(parse =>
        {
            int parallel = Batch.Cpus(parse.GetValue(cpus));
            FaceAnalyzer? analyzer = faceModels.TryBuild(parse, "chips", needRecognition: false, engineThreads: Batch.EngineThreads(parallel));
            if (analyzer is null)
            {
                return 1;
            }

            int side = parse.GetValue(size);
            double pad = parse.GetValue(padding);
            if (side < 1 || side > 4096 || pad < 0 || pad > 10)
            {
                Console.Error.WriteLine("dlib-models chips: --size must be 1..4096 and --padding 0..10");
                return 1;
            }

            string? outDir = parse.GetValue(output);
            if (outDir is not null)
            {
                Directory.CreateDirectory(outDir);
            }

            int up = parse.GetValue(faceModels.Upsample);
            bool asJson = parse.GetValue(json);
            int total = 0;
            using var stdout = Console.OpenStandardOutput();
            var batch = new Batch();
            batch.Run(
                "chips",
                ImageInputs.Expand(parse.GetValue(images)!),
                parallel,
                path =>
                {
                    RgbImage img = ImageFile.LoadRgb(path);
                    IReadOnlyList<Face> faces = analyzer.FaceLandmarks(img, upsample: up);
                    var details = faces.Select(f => FaceChips.GetFaceChipDetails(f.Landmarks!, side, pad)).ToArray();
                    RgbImage[] chips = FaceChips.ExtractImageChips(img, details);
                    for (int i = 0; i < chips.Length && outDir is not null; i++)
                    {
                        ImageFile.SavePng(chips[i], Path.Combine(outDir, $"{Path.GetFileNameWithoutExtension(path)}_face{i}.png"));
                    }

                    return (DecodedSummary.Of(img), faces, details);
                },
                (path, r) =>
                {
                    (DecodedSummary img, IReadOnlyList<Face> faces, ChipDetails[] details) = r;
                    total += faces.Count;
                    if (!asJson)
                    {
                        Console.WriteLine($"{path}: {faces.Count} chip(s)");
                        return;
                    }

                    JsonFields.Line(stdout, w =>
                    {
                        w.WriteString("image", path);
                        JsonFields.Decoded(w, img);
                        w.WriteNumber("upsampled", up);
                        w.WriteStartArray("faces");
                        for (int i = 0; i < faces.Count; i++)
                        {
                            w.WriteStartObject();
                            JsonFields.Rect(w, "rect", faces[i].Rect);
                            JsonFields.Parts(w, faces[i].Landmarks!.Parts);
                            w.WriteStartObject("chip_details");
                            w.WriteStartObject("rect");
                            w.WriteNumber("left", details[i].Rect.Left);
                            w.WriteNumber("top", details[i].Rect.Top);
                            w.WriteNumber("right", details[i].Rect.Right);
                            w.WriteNumber("bottom", details[i].Rect.Bottom);
                            w.WriteEndObject();
                            w.WriteNumber("angle", details[i].Angle);
                            w.WriteNumber("rows", details[i].Rows);
                            w.WriteNumber("cols", details[i].Cols);
                            w.WriteEndObject();
                            w.WriteEndObject();
                        }

                        w.WriteEndArray();
                    });
                });

            if (!asJson)
            {
                Console.WriteLine(batch.Summary("chip(s)", total));
            }

            return batch.Failures > 0 ? 2 : 0;
        });
        return command;
    }
}
