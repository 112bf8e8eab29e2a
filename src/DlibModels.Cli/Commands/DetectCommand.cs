using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using DlibModels.Cli.Output;
using DlibModels.ImageIO;
using DlibModels.Imaging;

namespace DlibModels.Cli.Commands;

/// <summary><c>dlib-models detect IMAGES... [--hog | --model NET] [--upsample N] [--threshold T] [--json]</c>.</summary>
internal static class DetectCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("IMAGES") { Description = "Image files or folders (searched recursively for .jpg, .jpeg, .png, .bmp).", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string?>("--model") { Description = "An MMOD network file or catalogue name (mmod_human_face_detector, mmod_rear_end_vehicle_detector, ...). Default: dlib's HOG face detector." };
        var hog = new Option<bool>("--hog") { Description = "Use dlib's built-in HOG frontal face detector (the default; needs no download)." };
        var upsample = new Option<int>("--upsample") { Description = "pyramid_up the image N times before detecting (finds smaller faces); boxes are also given in the original image as rect_orig.", DefaultValueFactory = _ => 0 };
        var threshold = new Option<double>("--threshold") { Description = "dlib's adjust_threshold: lower finds more (and worse) detections.", DefaultValueFactory = _ => 0.0 };
        var json = new Option<bool>("--json") { Description = "JSON Lines: one object per image with image, decoded, upsampled, detections." };
        var command = new Command("detect", "Find faces (HOG or CNN) or other objects (any MMOD network) in images.\nExample: dlib-models detect photos/ --model mmod_human_face_detector --upsample 1 --json")
        {
            images, model, hog, upsample, threshold, json,
        };
        command.SetAction(parse =>
        {
            int up = parse.GetValue(upsample);
            if (up < 0 || up > 4)
            {
                Console.Error.WriteLine("dlib-models detect: --upsample must be between 0 and 4");
                return 1;
            }

            Detectors detector;
            try
            {
                detector = Detectors.Create(parse.GetValue(hog) ? null : parse.GetValue(model));
            }
            catch (Exception e) when (e is FileNotFoundException or Serialization.DlibFormatException or IOException)
            {
                Console.Error.WriteLine($"dlib-models detect: {e.Message}");
                return 1;
            }

            bool asJson = parse.GetValue(json);
            double thr = parse.GetValue(threshold);
            int failures = 0, total = 0, found = 0;
            var clock = Stopwatch.StartNew();
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
                    Console.Error.WriteLine($"dlib-models detect: {e.Message}");
                    failures++;
                    continue;
                }

                total++;
                RgbImage processed = Detectors.Upsample(img, up);
                List<CliDetection> dets = detector.Detect(processed, thr);
                found += dets.Count;
                if (asJson)
                {
                    WriteJson(stdout, path, img, processed, up, dets, detector.IsHog);
                }
                else
                {
                    Console.WriteLine($"{path}: {dets.Count} detection(s)");
                    foreach (CliDetection d in dets)
                    {
                        Rectangle r = up > 0 ? PyramidDown2.RectDown(d.Rect, up) : d.Rect;
                        Console.WriteLine($"  [{r.Left}, {r.Top}, {r.Right}, {r.Bottom}]  {(detector.IsHog ? "score" : "confidence")} {d.Confidence:F3}{(d.Label.Length > 0 ? "  " + d.Label : string.Empty)}");
                    }
                }
            }

            if (!asJson)
            {
                double secs = clock.Elapsed.TotalSeconds;
                Console.WriteLine($"{total} image(s), {found} detection(s), {failures} failed, {secs:F2} s ({(total > 0 ? secs * 1000 / total : 0):F0} ms per image)");
            }

            return failures > 0 ? 2 : 0;
        });
        return command;
    }

    private static void WriteJson(Stream stdout, string path, RgbImage img, RgbImage processed, int up, List<CliDetection> dets, bool hog)
    {
        using (var w = new Utf8JsonWriter(stdout))
        {
            w.WriteStartObject();
            w.WriteString("image", path);
            JsonFields.Decoded(w, img);
            w.WriteNumber("upsampled", up);
            w.WriteNumber("processed_rows", processed.Rows);
            w.WriteNumber("processed_cols", processed.Cols);
            w.WriteStartArray("detections");
            foreach (CliDetection d in dets)
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
            w.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
        stdout.Flush();
    }
}
