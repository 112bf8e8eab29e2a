using System.CommandLine;
using System.Text.Json;
using DlibModels.Cli.Output;
using DlibModels.ImageIO;
using DlibModels.Imaging;

namespace DlibModels.Cli.Commands;

/// <summary>
/// <c>dlib-models detect IMAGES... [--hog | --model NET] [--upsample N] [--threshold T] [--json] [--draw DIR] [--cpus N] [--engine dlibmodels|ort]</c>.
/// Exit codes: 0 all inputs processed, 1 bad arguments or model, 2 some inputs could not be read.
/// </summary>
internal static class DetectCommand
{
    /// <summary>What is written for one image: sizes and checksums, not the pixels (a batch keeps only this).</summary>
    private sealed record Result(DecodedSummary Image, int ProcessedRows, int ProcessedCols, List<CliDetection> Detections);

    public static Command Create()
    {
        var images = new Argument<string[]>("IMAGES") { Description = "Image files or folders (searched recursively for .jpg, .jpeg, .png, .bmp).", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string?>("--model") { Description = "An MMOD network file or catalogue name (mmod_human_face_detector, mmod_rear_end_vehicle_detector, ...). Default: dlib's HOG face detector." };
        var hog = new Option<bool>("--hog") { Description = "Use dlib's built-in HOG frontal face detector (the default; needs no download)." };
        var upsample = new Option<int>("--upsample") { Description = "pyramid_up the image N times before detecting (finds smaller faces); boxes are also given in the original image as rect_orig.", DefaultValueFactory = _ => 0 };
        var threshold = new Option<double>("--threshold") { Description = "dlib's adjust_threshold: lower finds more (and worse) detections.", DefaultValueFactory = _ => 0.0 };
        var json = new Option<bool>("--json") { Description = "JSON Lines: one object per image with image, decoded, upsampled, detections (rect, rect_orig, score or detection_confidence, label, weight_index)." };
        var csv = new Option<bool>("--csv") { Description = "CSV: image,left,top,right,bottom,confidence,label (original image coordinates)." };
        var draw = new Option<string?>("--draw") { Description = "Write each image with its boxes drawn as PNG into this folder." };
        var cpus = new Option<int>("--cpus") { Description = "Images processed at once (default: all cores; the engine then uses one thread per image).", DefaultValueFactory = _ => 0 };
        Option<string> engine = Engines.CreateOption();
        var command = new Command("detect", "Find faces (HOG or CNN) or other objects (any MMOD network) in images.\nExit codes: 0 ok, 1 bad arguments or model, 2 some images could not be read.\nExample: dlib-models detect photos/ --model mmod_human_face_detector --upsample 1 --json")
        {
            images, model, hog, upsample, threshold, json, csv, draw, cpus, engine,
        };
        command.SetAction(parse =>
        {
            int up = parse.GetValue(upsample);
            if (up < 0 || up > 4)
            {
                Console.Error.WriteLine("dlib-models detect: --upsample must be between 0 and 4");
                return 1;
            }

            int parallel = Batch.Cpus(parse.GetValue(cpus));
            Detectors detector;
            try
            {
                detector = Detectors.Create(parse.GetValue(hog) ? null : parse.GetValue(model), Batch.EngineThreads(parallel), parse.GetValue(engine));
            }
            catch (Exception e) when (e is FileNotFoundException or Serialization.DlibFormatException or IOException)
            {
                Console.Error.WriteLine($"dlib-models detect: {e.Message}");
                return 1;
            }

            bool asJson = parse.GetValue(json), asCsv = parse.GetValue(csv);
            double thr = parse.GetValue(threshold);
            string? drawDir = parse.GetValue(draw);
            if (drawDir is not null)
            {
                Directory.CreateDirectory(drawDir);
            }

            int found = 0;
            using var stdout = Console.OpenStandardOutput();
            var batch = new Batch();
            batch.Run(
                "detect",
                ImageInputs.Expand(parse.GetValue(images)!),
                parallel,
                path =>
                {
                    RgbImage img = ImageFile.LoadRgb(path);
                    RgbImage processed = Detectors.Upsample(img, up);
                    var result = new Result(DecodedSummary.Of(img), processed.Rows, processed.Cols, detector.Detect(processed, thr));
                    if (drawDir is not null)
                    {
                        RgbImage canvas = img.Clone();
                        foreach (CliDetection d in result.Detections)
                        {
                            Drawing.Rectangle(canvas, PyramidDown2.RectDown(d.Rect, up), (255, 0, 0));
                        }

                        ImageFile.SavePng(canvas, Path.Combine(drawDir, Path.GetFileNameWithoutExtension(path) + ".png"));
                    }

                    return result;
                },
                (path, r) =>
                {
                    found += r.Detections.Count;
                    if (asJson)
                    {
                        WriteJson(stdout, path, r, up, detector.IsHog);
                    }
                    else if (asCsv)
                    {
                        foreach (CliDetection d in r.Detections)
                        {
                            Rectangle o = PyramidDown2.RectDown(d.Rect, up);
                            Console.WriteLine($"{path},{o.Left},{o.Top},{o.Right},{o.Bottom},{d.Confidence.ToString("R", System.Globalization.CultureInfo.InvariantCulture)},{d.Label}");
                        }
                    }
                    else
                    {
                        Console.WriteLine($"{path}: {r.Detections.Count} detection(s)");
                        foreach (CliDetection d in r.Detections)
                        {
                            Rectangle o = PyramidDown2.RectDown(d.Rect, up);
                            Console.WriteLine($"  [{o.Left}, {o.Top}, {o.Right}, {o.Bottom}]  {(detector.IsHog ? "score" : "confidence")} {d.Confidence:F3}{(d.Label.Length > 0 ? "  " + d.Label : string.Empty)}");
                        }
                    }
                });

            if (!asJson && !asCsv)
            {
                Console.WriteLine(batch.Summary("detection(s)", found));
            }

            return batch.Failures > 0 ? 2 : 0;
        });
        return command;
    }

    private static void WriteJson(Stream stdout, string path, Result r, int up, bool hog)
    {
        JsonFields.Line(stdout, w =>
        {
            w.WriteString("image", path);
            JsonFields.Decoded(w, r.Image);
            w.WriteNumber("upsampled", up);
            w.WriteNumber("processed_rows", r.ProcessedRows);
            w.WriteNumber("processed_cols", r.ProcessedCols);
            w.WriteStartArray("detections");
            foreach (CliDetection d in r.Detections)
            {
                w.WriteStartObject();
                JsonFields.Rect(w, "rect", d.Rect);
                JsonFields.Rect(w, "rect_orig", PyramidDown2.RectDown(d.Rect, up));
                if (hog)
                {
                    w.WriteNumber("score", d.Confidence);
                    w.WriteNumber("weight_index", d.WeightIndex);
                }
                else
                {
                    w.WriteNumber("detection_confidence", d.Confidence);
                }

                w.WriteString("label", d.Label);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }
}
