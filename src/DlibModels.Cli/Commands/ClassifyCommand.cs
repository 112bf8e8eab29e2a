using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DlibModels.Classification;
using DlibModels.Cli.Output;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Randomness;
using DlibModels.Zoo;

namespace DlibModels.Cli.Commands;

/// <summary><c>dlib-models classify IMAGES... [--model FILE] [--mode random|center|full] [--crops N] [--top K] [--json] [--engine dlibmodels|ort]</c>.</summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("IMAGES") { Description = "Image files or folders (searched recursively for .jpg, .jpeg, .png, .bmp).", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string>("--model") { Description = "ImageNet classifier file or catalogue name.", DefaultValueFactory = _ => "resnet34_1000_imagenet_classifier" };
        var mode = new Option<string>("--mode") { Description = "random: dnn_imagenet_ex's random crops with one default-seeded dlib::rand for the whole run, in argument order (reproduces dlib); center: the centred square; full: the whole image stretched.", DefaultValueFactory = _ => "random" };
        mode.AcceptOnlyFromAmong("random", "center", "full");
        var crops = new Option<int>("--crops") { Description = "Random crops per image (random mode).", DefaultValueFactory = _ => ImageNetClassifier.DefaultCrops };
        var top = new Option<int>("--top") { Description = "How many classes to report.", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "JSON Lines: one object per image with image, decoded, mode, crop_rect (center), top [{index, label, p}]." };
        Option<string> engine = Engines.CreateOption();
        var command = new Command("classify", "Classify images with dlib's ResNet ImageNet classifier (dnn_imagenet_ex).\nExample: dlib-models classify photos/ --top 3 --json")
        {
            images, model, mode, crops, top, json, engine,
        };
        command.SetAction(parse =>
        {
            int numCrops = parse.GetValue(crops);
            int k = parse.GetValue(top);
            if (numCrops < 1 || numCrops > 1024)
            {
                Console.Error.WriteLine("dlib-models classify: --crops must be between 1 and 1024");
                return 1;
            }

            if (k < 1)
            {
                Console.Error.WriteLine("dlib-models classify: --top must be at least 1");
                return 1;
            }

            ImageNetClassifier classifier;
            try
            {
                classifier = ImageNetClassifier.Load(ModelLocator.Resolve(parse.GetValue(model)!));
                if (Engines.IsOrt(parse.GetValue(engine)))
                {
                    classifier = new ImageNetClassifier(Engines.Create(classifier.Network, Engines.Ort, 0), classifier.Labels);
                }
            }
            catch (Exception e) when (e is FileNotFoundException or Serialization.DlibFormatException or IOException)
            {
                Console.Error.WriteLine($"dlib-models classify: {e.Message}");
                return 1;
            }

            string modeName = parse.GetValue(mode)!;
            CropMode cropMode = modeName switch
            {
                "center" => CropMode.Center,
                "full" => CropMode.Full,
                _ => CropMode.Random,
            };
            var random = new DlibRandom();
            bool asJson = parse.GetValue(json);
            int failures = 0, total = 0;
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
                    Console.Error.WriteLine($"dlib-models classify: {e.Message}");
                    failures++;
                    continue;
                }

                ImageClassification result;
                try
                {
                    result = classifier.Classify(img, cropMode, random, numCrops);
                }
                catch (ArgumentException e)
                {
                    Console.Error.WriteLine($"dlib-models classify: {path}: {e.Message}");
                    failures++;
                    continue;
                }

                total++;
                IReadOnlyList<ClassScore> best = result.Top(k);
                if (asJson)
                {
                    WriteJson(stdout, path, img, modeName, result, best);
                }
                else
                {
                    Console.WriteLine($"{path}:");
                    foreach (ClassScore s in best)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {s.Probability,8:F5}  {s.Index,4}  {s.Label}"));
                    }
                }
            }

            if (!asJson)
            {
                double secs = clock.Elapsed.TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{total} image(s), {failures} failed, {secs:F2} s ({(total > 0 ? secs * 1000 / total : 0):F0} ms per image)"));
            }

            return failures > 0 ? 2 : 0;
        });
        return command;
    }

    private static void WriteJson(Stream stdout, string path, RgbImage img, string mode, ImageClassification result, IReadOnlyList<ClassScore> best)
    {
        using (var w = new Utf8JsonWriter(stdout))
        {
            w.WriteStartObject();
            w.WriteString("image", path);
            JsonFields.Decoded(w, img);
            w.WriteString("mode", mode);
            w.WriteNumber("crops", result.CropCount);
            if (result.CropRect is Rectangle r)
            {
                JsonFields.Rect(w, "crop_rect", r);
            }

            w.WriteStartArray("top");
            foreach (ClassScore s in best)
            {
                w.WriteStartObject();
                w.WriteNumber("index", s.Index);
                w.WriteString("label", s.Label);
                w.WriteNumber("p", s.Probability);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
        stdout.Flush();
    }
}
