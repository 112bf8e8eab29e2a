using System.CommandLine;
using System.Text.Json;
using DlibModels.Cli.Output;
using DlibModels.Hipsterizer;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Zoo;

namespace DlibModels.Cli.Commands;

/// <summary><c>dlib-models hipsterize IN OUT [--model FILE] [--wireframe] [--json]</c>.</summary>
internal static class HipsterizeCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("IN") { Description = "The input image." };
        var output = new Argument<string>("OUT") { Description = "The output PNG." };
        var model = new Option<string>("--model") { Description = "Hipsterizer file or catalogue name (MMOD detector, 6-point predictor, glasses, mustache).", DefaultValueFactory = _ => "mmod_dog_hipsterizer" };
        var wireframe = new Option<bool>("--wireframe") { Description = "Also draw the example's green wireframe through the 6 landmarks." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: image, decoded, detections (rect, detection_confidence, label, parts), output, output_pixels." };
        var command = new Command("hipsterize", "Put glasses and a mustache on every dog (dnn_mmod_dog_hipsterizer) and save the result as PNG.\nExample: dlib-models hipsterize dogs.jpg hip.png --json")
        {
            input, output, model, wireframe, json,
        };
        command.SetAction(parse =>
        {
            DogHipsterizer hipster;
            try
            {
                hipster = DogHipsterizer.Load(ModelLocator.Resolve(parse.GetValue(model)!));
            }
            catch (Exception e) when (e is FileNotFoundException or Serialization.DlibFormatException or IOException)
            {
                Console.Error.WriteLine($"dlib-models hipsterize: {e.Message}");
                return 1;
            }

            string inPath = parse.GetValue(input)!;
            string outPath = parse.GetValue(output)!;
            RgbImage img;
            try
            {
                img = ImageFile.LoadRgb(inPath);
            }
            catch (Exception e) when (e is ImageDecodeException or IOException)
            {
                Console.Error.WriteLine($"dlib-models hipsterize: {e.Message}");
                return 2;
            }

            RgbImage drawn = hipster.Hipsterize(img, out IReadOnlyList<HipsterFace> faces, parse.GetValue(wireframe));
            try
            {
                ImageFile.SavePng(drawn, outPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"dlib-models hipsterize: cannot write {outPath}: {e.Message}");
                return 2;
            }

            if (parse.GetValue(json))
            {
                WriteJson(inPath, img, faces, outPath, drawn);
            }
            else
            {
                Console.WriteLine($"{inPath}: {faces.Count} face(s) -> {outPath}");
            }

            return 0;
        });
        return command;
    }

    private static void WriteJson(string path, RgbImage img, IReadOnlyList<HipsterFace> faces, string outPath, RgbImage drawn)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout))
        {
            w.WriteStartObject();
            w.WriteString("image", path);
            JsonFields.Decoded(w, img);
            w.WriteNumber("upsampled", 0);
            w.WriteStartArray("detections");
            foreach (HipsterFace f in faces)
            {
                w.WriteStartObject();
                JsonFields.Rect(w, "rect", f.Detection.Rect);
                w.WriteNumber("detection_confidence", f.Detection.Confidence);
                w.WriteString("label", f.Detection.Label);
                JsonFields.Parts(w, f.Shape.Parts);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("output", outPath);
            w.WriteStartObject("output_pixels");
            w.WriteNumber("rows", drawn.Rows);
            w.WriteNumber("cols", drawn.Cols);
            (long r, long g, long b) = ImageChecksums.SumRgb(drawn);
            w.WriteStartArray("sum_rgb");
            w.WriteNumberValue(r);
            w.WriteNumberValue(g);
            w.WriteNumberValue(b);
            w.WriteEndArray();
            w.WriteString("fnv1a64", ImageChecksums.ToHex(ImageChecksums.Fnv1a64(drawn)));
            w.WriteEndObject();
            w.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
        stdout.Flush();
    }
}
